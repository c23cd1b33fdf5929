"""The `/__admin` API: seed, reset and inspect the mock (specs/mock-admin.yaml)."""
