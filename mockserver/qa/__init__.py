"""The QA toolkit around the vendor APIs: a request journal and contract-aware fault injection."""
