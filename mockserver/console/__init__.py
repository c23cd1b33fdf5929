"""The QA console: a page served by the mock at `/__admin/console/` to see and steer it by hand.

The page holds no data of its own: its script reads and changes everything through the admin API's operations
(`specs/mock-admin.yaml`), with the admin token when the mock has one, so whatever a tester does here is also
scriptable."""
