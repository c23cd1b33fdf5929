"""The validation proxy: forwards each API's traffic to the origin a targets file names, untouched, and checks
every exchange against the contract, saying whether the client (a request off contract) or the server (a
response off contract) broke it."""
