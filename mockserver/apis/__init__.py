"""One package per vendor API; each exposes `API`, a `mockserver.vendor_api.VendorApi`."""
