"""`conformance`: check an implementation (our mock or a real one) against the contracts.

Exit codes: 0 every check passed (warnings allowed); 1 a check failed; 2 the run could not proceed
(bad options, unreachable target, bad targets file, empty credential); 130 / 143 interrupted by Ctrl-C / SIGTERM
(the reports hold what ran).

Against a real target (one without our /__admin) a run is read-only unless --allow-writes: it sends reads and
requests the contract says must be refused, at --max-rps (default 5), honouring 429 Retry-After.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from conformance import interrupt, masking
from conformance.contracts import load_contracts
from conformance.coverage import covered_rules, declared_objects, writing_rules
from conformance.error_reports import write_error_reports
from conformance.html_report import write_html
from conformance.preflight import configuration_problem
from conformance.report import print_table, write_json
from conformance.runner import run
from conformance.settings import RunSettings
from conformance.target import answers_admin, probe
from conformance.targets import TargetsError, load_targets, template

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
    where = run_parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--base-url", help="where the vendor paths live, e.g. http://127.0.0.1:8080")
    where.add_argument("--target", type=Path, help="a targets file (see `conformance init-targets`)")
    run_parser.add_argument(
        "--allow-writes", action="store_true", help="against a real target, also send requests that change state"
    )
    run_parser.add_argument(
        "--max-rps", type=float, help="requests per second at most (default 5 against a real target, 0 no limit)"
    )
    run_parser.add_argument("--budget", type=float, metavar="SECONDS", help="stop starting checks after this long")
    run_parser.add_argument(
        "--strict", action="store_true", help="rules resting on an assumption fail against a real target, not warn"
    )
    run_parser.add_argument("--html", type=Path, help="write a self-contained HTML report here")
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
    run_parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per request in all: connect, headers and whole body"
    )
    run_parser.add_argument(
        "--ca-bundle", type=Path, metavar="FILE",
        help="trust this CA bundle (PEM) for every request of the run (else SSL_CERT_FILE / REQUESTS_CA_BUNDLE)",
    )  # fmt: skip
    run_parser.add_argument("-v", "--verbose", action="store_true")

    init_parser = commands.add_parser("init-targets", help="write a commented targets file template")
    init_parser.add_argument("path", type=Path, nargs="?", help="where to write it (default: print it)")
    init_parser.add_argument("--api", action="append", choices=apis)

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


def _announce(settings: RunSettings) -> None:
    """Before anything is sent to a real target: whether the run writes, and what."""
    if answers_admin(settings.base_url, settings.timeout, ca_bundle=settings.ca_bundle):
        return  # our mock: scenarios seed fresh tenants of their own
    writing = {api: ids for api, ids in writing_rules().items() if api in settings.apis}
    count = sum(len(ids) for ids in writing.values())
    rps = settings.max_rps if settings.max_rps is not None else RunSettings.REAL_TARGET_MAX_RPS
    print(f"conformance: real target, at most {rps:g} requests/s" if rps else "conformance: real target, no rate limit")
    if not settings.allow_writes:
        print(f"conformance: read-only: reads and requests the contract says must be refused; {count} writing "
              f"scenario(s) and positive schema checks of write operations are skipped (--allow-writes)")  # fmt: skip
        return
    print("conformance: --allow-writes: this run will change the target's state:")
    print("  schema checks send generated and documented requests to every write operation")
    for api, ids in sorted(writing.items()):
        print(f"  {api}: scenarios {', '.join(sorted(set(ids)))}")


def main(argv: list[str] | None = None) -> int:
    """Credentials masked in all output; SIGTERM and a first Ctrl-C stop the run gracefully (exit 128 + signal)."""
    args = _parser().parse_args(argv)
    started = time.time()
    with masking.masked_terminal() as errors, interrupt.graceful_stop():
        code = _main(args)
        if code == 2 and args.command == "run":
            write_error_reports(
                junit=args.junit, json_path=args.json, html=args.html, message=errors.last_line, started=started
            )
    return interrupt.exit_code() or code


def _main(args: argparse.Namespace) -> int:
    all_apis = sorted(load_contracts())
    apis = args.api or all_apis
    if args.command == "list-rules":
        return _list_rules(apis, args.json)
    if args.command == "init-targets":
        text = template(apis, declared_objects())
        if args.path is None:
            print(text, end="")
        else:
            args.path.write_text(text)
            print(f"conformance: wrote {args.path}")
        return 0
    base_urls: dict[str, str] = {}
    objects: dict[str, dict[str, object]] = {}
    target_credentials: dict[str, str] = {}
    if args.target is not None:
        try:
            targets = load_targets(args.target, all_apis)
        except TargetsError as error:
            print(f"conformance: {error}", file=sys.stderr)
            return 2
        if not targets:
            print(f"conformance: {args.target} names no API", file=sys.stderr)
            return 2
        apis = [api for api in (args.api or sorted(targets)) if api in targets]
        base_urls = {api: entry.base_url for api, entry in targets.items()}
        objects = {api: entry.objects for api, entry in targets.items()}
        target_credentials = {api: entry.credential for api, entry in targets.items() if entry.credential}
    known_rules = {rule.id for api in apis for rule in load_contracts()[api].rules}
    unknown = sorted(set(args.rule) - known_rules)
    if unknown:
        print(f"conformance: unknown rule id(s) {unknown} for {apis}", file=sys.stderr)
        return 2
    credentials = {**target_credentials, **_credentials(args.credential, all_apis)}
    problem = configuration_problem(credentials, budget=args.budget, timeout=args.timeout, ca_bundle=args.ca_bundle)
    if problem:
        print(f"conformance: {problem}", file=sys.stderr)
        return 2
    settings = RunSettings(
        base_url=args.base_url or base_urls[apis[0]],
        apis=tuple(apis),
        credentials=credentials,
        base_urls=base_urls,
        objects=objects,
        allow_writes=args.allow_writes,
        max_rps=args.max_rps,
        budget=args.budget,
        strict=args.strict,
        schema_checks=not args.no_schema_checks,
        scenarios=not args.no_scenarios,
        max_examples=args.max_examples,
        seed=args.seed,
        rule_ids=tuple(args.rule),
        timeout=args.timeout,
        ca_bundle=str(args.ca_bundle) if args.ca_bundle else None,
    )
    for url in sorted({settings.base_url, *(base_urls[api] for api in apis if api in base_urls)}):
        unreachable = probe(url, settings.timeout, ca_bundle=settings.ca_bundle)
        if unreachable:
            print(f"conformance: cannot reach {url}: {unreachable}", file=sys.stderr)
            return 2
    _announce(settings)
    outcome = run(settings, junit=args.junit, verbose=args.verbose)
    print_table(outcome.results, sys.stdout)
    if args.json:
        write_json(outcome.results, args.json, base_url=settings.base_url, apis=list(apis))
    if args.html:
        write_html(outcome.results, args.html, base_url=settings.base_url, apis=list(apis))
    for report in (args.junit, args.json, args.html):
        masking.mask_file(report)
    if outcome.passed:
        return 0
    return 1 if outcome.results else 2


if __name__ == "__main__":
    sys.exit(main())
