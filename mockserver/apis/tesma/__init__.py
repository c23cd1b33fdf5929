"""tesma Platform: asynchronous bulk patch of lease assets."""

from mockserver.apis.tesma import tables
from mockserver.apis.tesma.errors import TesmaErrors
from mockserver.apis.tesma.fixtures import TesmaFixtures
from mockserver.apis.tesma.handlers import TesmaHandlers
from mockserver.vendor_api import VendorApi

API = VendorApi(
    id="tesma",
    spec_file="tesma-lease-assets.yaml",
    tables=tables.ALL,
    errors=TesmaErrors(),
    fixtures=TesmaFixtures(),
    make_handlers=TesmaHandlers,
)
