"""A stateful mock of four vendor meter and asset APIs, driven by their OpenAPI contracts."""
