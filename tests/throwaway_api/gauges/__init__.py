"""The gauge log: the throwaway API's package, plugged in as every shipped API is (`API`)."""

from pathlib import Path

from mockserver.vendor_api import VendorApi
from tests.throwaway_api.gauges import rules, tables
from tests.throwaway_api.gauges.errors import GaugeErrors
from tests.throwaway_api.gauges.fixtures import GaugeFixtures
from tests.throwaway_api.gauges.handlers import GaugeHandlers

CONTRACT = Path(__file__).parents[1] / "contract.yaml"

API = VendorApi(
    spec_file=CONTRACT,
    tables=tables.ALL,
    errors=GaugeErrors(),
    fixtures=GaugeFixtures(),
    outcomes=rules.OUTCOMES,
    make_handlers=GaugeHandlers,
)
