"""A throwaway fifth API, kept entirely here: proof that an API plugs into the mock and the suite through their
seams alone (README, "Adding an API")."""
