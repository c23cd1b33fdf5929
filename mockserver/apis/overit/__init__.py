"""OverIT NextGen: measures batch update on account measuring elements."""

from mockserver.apis.overit import rules, tables
from mockserver.apis.overit.errors import OveritErrors
from mockserver.apis.overit.fixtures import OveritFixtures
from mockserver.apis.overit.handlers import OveritHandlers
from mockserver.vendor_api import VendorApi

API = VendorApi(
    spec_file="overit-measures.yaml",
    tables=tables.ALL,
    errors=OveritErrors(),
    fixtures=OveritFixtures(),
    outcomes=rules._OUTCOMES,
    make_handlers=OveritHandlers,
)
