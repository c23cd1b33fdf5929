"""tesma Platform: asynchronous bulk patch of lease assets."""

from mockserver.apis.tesma import rules, tables
from mockserver.apis.tesma.errors import TesmaErrors
from mockserver.apis.tesma.fixtures import TesmaFixtures
from mockserver.apis.tesma.handlers import TesmaHandlers
from mockserver.vendor_api import VendorApi

API = VendorApi(
    spec_file="tesma-lease-assets.yaml",
    tables=tables.ALL,
    errors=TesmaErrors(),
    fixtures=TesmaFixtures(),
    outcomes=rules._OUTCOMES,
    make_handlers=TesmaHandlers,
    jobs=TesmaHandlers.run_due_jobs,
)
