"""`conformance`: check an implementation (our mock or a real one) against the contracts.

Exit codes: 0 every check passed; 1 a check failed; 2 the run could not proceed (bad options, no such API).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from conformance.contracts import load_contracts
from conformance.coverage import covered_rules
from conformance.report import print_table, write_json
from conformance.runner import run
from conformance.settings import RunSettings
from conformance.target import probe

CREDENTIAL_VARIABLE = "CONFORMANCE_CREDENTIAL_{api}"


def _credentials(pairs: list[str], apis: list[str]) -> dict[str, str]:
    credentials = {
        api: os.environ[CREDENTIAL_VARIABLE.format(api=api.upper())]
        for api in apis
        if CREDENTIAL_VARIABLE.format(api=api.upper()) in os.environ
    }
    for pair in pairs:
        api, separator, value = pair.partition("=")
        if not separator:
            raise SystemExit(f"conformance: --credential takes API=VALUE, got {pair!r}")
        credentials[api] = value
    return credentials


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conformance", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    apis = sorted(load_contracts())

    run_parser = commands.add_parser("run", help="run schema checks and rule scenarios against a base URL")
    run_parser.add_argument("--base-url", required=True, help="where the vendor paths live, e.g. http://127.0.0.1:8080")
    run_parser.add_argument(
        "--api", action="append", choices=apis, help="check only this API (repeatable; default all)"
    )
    run_parser.add_argument(
        "--rule", action="append", default=[], metavar="ID", help="only this rule's scenario (repeatable)"
    )
    run_parser.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="API=VALUE",
        help="credential for a real target (or env CONFORMANCE_CREDENTIAL_<API>)",
    )
    run_parser.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    run_parser.add_argument("--json", type=Path, help="write a JSON report here")
    run_parser.add_argument("--max-examples", type=int, default=25, help="fuzzing examples per operation")
    run_parser.add_argument("--seed", type=int, help="seed for reproducible generated data")
    run_parser.add_argument("--no-schema-checks", action="store_true", help="scenarios only")
    run_parser.add_argument("--no-scenarios", action="store_true", help="schema checks only")
    run_parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    run_parser.add_argument("-v", "--verbose", action="store_true")

    list_parser = commands.add_parser(
        "list-rules", help="every documented rule, its source and whether a scenario covers it"
    )
    list_parser.add_argument("--api", action="append", choices=apis)
    list_parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _list_rules(apis: list[str], as_json: bool) -> int:
    covered = covered_rules()
    rows = [
        {
            "id": rule.id,
            "api": rule.api,
            "operation": f"{rule.method} {rule.path}",
            "status": rule.status,
            "code": rule.code,
            "source": rule.source,
            "assumed": list(rule.assumed),
            "covered": rule.id in covered,
            "rule": rule.rule,
        }
        for api, contract in sorted(load_contracts().items())
        if api in apis
        for rule in contract.rules
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        mark = "covered" if row["covered"] else "NO SCENARIO"
        print(
            f"{row['id']:<16} {row['status']:<4} {row['code'] or '-':<26} {row['source']:<15} {mark:<12} {row['rule']}"
        )
    uncovered = sum(not row["covered"] for row in rows)
    print(f"\n{len(rows)} rules, {len(rows) - uncovered} covered by a scenario, {uncovered} not")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    all_apis = sorted(load_contracts())
    apis = args.api or all_apis
    if args.command == "list-rules":
        return _list_rules(apis, args.json)
    known_rules = {rule.id for api in apis for rule in load_contracts()[api].rules}
    unknown = sorted(set(args.rule) - known_rules)
    if unknown:
        print(f"conformance: unknown rule id(s) {unknown} for {apis}", file=sys.stderr)
        return 2
    settings = RunSettings(
        base_url=args.base_url,
        apis=tuple(apis),
        credentials=_credentials(args.credential, all_apis),
        schema_checks=not args.no_schema_checks,
        scenarios=not args.no_scenarios,
        max_examples=args.max_examples,
        seed=args.seed,
        rule_ids=tuple(args.rule),
        timeout=args.timeout,
    )
    unreachable = probe(settings.base_url, settings.timeout)
    if unreachable:
        print(f"conformance: cannot reach {settings.base_url}: {unreachable}", file=sys.stderr)
        return 2
    outcome = run(settings, junit=args.junit, verbose=args.verbose)
    print_table(outcome.results, sys.stdout)
    if args.json:
        write_json(outcome.results, args.json, base_url=args.base_url, apis=list(apis))
    if outcome.passed:
        return 0
    return 1 if outcome.results else 2


if __name__ == "__main__":
    sys.exit(main())
