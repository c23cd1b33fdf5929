"""One module per API; one test per documented rule, marked with `@rule(<x-rules id>)`."""
