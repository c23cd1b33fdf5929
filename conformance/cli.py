"""`conformance`: check an implementation (our mock or a real one) against the contracts.

Exit codes: 0 at least one check ran and none failed (warnings allowed); 1 a check failed or a score is below
--min-score; 2 the run could not proceed or checked nothing (bad options, unreachable target, bad targets file,
empty credential, every check skipped); 130 / 143 interrupted by Ctrl-C / SIGTERM (the reports hold what ran).

Against a real target (one without our /__admin) a run is read-only unless --allow-writes: it sends reads and
requests the contract says must be refused, at --max-rps (default 5), honouring 429 Retry-After.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

from conformance import interrupt, masking
from conformance.contracts import load_contracts
from conformance.coverage import declared_objects, writing_rules
from conformance.error_reports import write_error_reports
from conformance.findings import NothingChecked, SuiteError, UsageError
from conformance.html_report import write_html
from conformance.junit_report import write_junit
from conformance.list_rules import print_rules
from conformance.preflight import configuration_problem
from conformance.progress import RunProgress
from conformance.report import print_summary, write_json
from conformance.run_info import RunInfo, tool_version
from conformance.runner import DEFAULT_CACHE, run
from conformance.score import scores
from conformance.settings import RunSettings
from conformance.target import answers_admin, probe
from conformance.target_urls import misplaced_base_path
from conformance.targets import TargetsError, load_targets, template
from conformance.verdicts import TargetKind, exit_code

CREDENTIAL_VARIABLE = "CONFORMANCE_CREDENTIAL_{api}"


def _credentials(pairs: list[str], apis: list[str]) -> dict[str, str]:
    credentials = {
        api: os.environ[CREDENTIAL_VARIABLE.format(api=api.upper())]
        for api in apis
        if CREDENTIAL_VARIABLE.format(api=api.upper()) in os.environ
    }
    for pair in pairs:
        api, separator, value = pair.partition("=")
        if not separator or api not in apis:
            raise UsageError(f"--credential takes API=VALUE with API one of {', '.join(apis)}, got {pair!r}")
        credentials[api] = value
    return credentials


class _Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The module's prose as written, and every option's default shown (when it has one worth saying)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if (
            action.default is None
            or action.default is False
            or action.default == []
            or action.default is argparse.SUPPRESS
        ):
            return action.help
        return super()._get_help_string(action)


def _extra_contracts(argv: list[str] | None) -> list[Path]:
    """The `--contract` files, read before the parser is built: their APIs are choices of `--api`."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--contract", action="append", type=Path, default=[])
    return early.parse_known_args(argv)[0].contract


def _parser(apis: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="conformance", description=__doc__, formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {tool_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    run_parser = commands.add_parser(
        "run", help="run schema checks and rule scenarios against a base URL", formatter_class=_Formatter
    )
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
        "--strict", action="store_true", help="differences in what we assumed fail against a real target, not warn"
    )
    run_parser.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="retry until the target answers, this long at most"
    )
    run_parser.add_argument(
        "--min-checks", type=int, default=1, metavar="N", help="exit 2 unless at least N checks ran (passed or warned)"
    )
    run_parser.add_argument(
        "--min-score", type=float, metavar="PERCENT", help="exit 1 when an API's conformance score is below this"
    )
    run_parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="where caches go")
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
    run_parser.add_argument(
        "--contract", action="append", type=Path, default=[], metavar="FILE",
        help="also check the API of this OpenAPI contract (its info.x-api-id names it; repeatable)",
    )  # fmt: skip
    run_parser.add_argument(
        "--scenarios", action="append", type=Path, default=[], metavar="DIR",
        help="also run the scenario modules in this folder (each declares API = its x-api-id; repeatable)",
    )  # fmt: skip
    run_parser.add_argument("-v", "--verbose", action="store_true", help="show full tracebacks of failures")

    init_parser = commands.add_parser("init-targets", help="write a commented targets file template")
    init_parser.add_argument("path", type=Path, nargs="?", help="where to write it (default: print it)")
    init_parser.add_argument("--api", action="append", choices=apis)
    init_parser.add_argument("--force", action="store_true", help="overwrite an existing file")

    proxy_parser = commands.add_parser(
        "proxy", help="forward traffic to the targets file's origins and check every exchange against the contract",
        formatter_class=_Formatter,
    )  # fmt: skip
    proxy_parser.add_argument("--target", type=Path, required=True, help="a targets file naming each API's origin")
    proxy_parser.add_argument("--host", default="127.0.0.1", help="where to listen")
    proxy_parser.add_argument("--port", type=int, default=8090, help="where to listen")
    proxy_parser.add_argument("--api", action="append", choices=apis, help="only this API of the targets file")
    proxy_parser.add_argument("--record", type=Path, metavar="FILE", help="write every exchange here, masked")
    proxy_parser.add_argument("--strict", action="store_true", help="differences in what we assumed fail, not warn")
    proxy_parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the origin")
    proxy_parser.add_argument("--junit", type=Path, help="write a JUnit XML report here on exit")
    proxy_parser.add_argument("--json", type=Path, help="write a JSON report here on exit")
    proxy_parser.add_argument("--html", type=Path, help="write an HTML report here on exit")

    parity_parser = commands.add_parser(
        "parity", help="replay a recording against our mock and show where the mock answers differently",
        formatter_class=_Formatter,
    )  # fmt: skip
    parity_parser.add_argument("recording", type=Path, help="a recording (`conformance proxy --record FILE`)")
    parity_parser.add_argument("--base-url", required=True, help="our mock, e.g. http://127.0.0.1:8080")
    parity_parser.add_argument("--fixtures", type=Path, metavar="FILE", help="seed the replay's tenant from this")
    parity_parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parity_parser.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="retry until the mock answers, this long at most"
    )
    parity_parser.add_argument("--json", type=Path, help="write the differences as JSON here")

    list_parser = commands.add_parser(
        "list-rules", help="every documented rule, its source and whether a scenario covers it"
    )
    list_parser.add_argument("--api", action="append", choices=apis)
    list_parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _announce(settings: RunSettings) -> None:
    """Before anything is sent to a real target: whether the run writes, and what."""
    if settings.target_kind.ours:
        return  # our mock: scenarios seed fresh tenants of their own
    writing = {api: ids for api, ids in writing_rules(settings.scenario_dirs).items() if api in settings.apis}
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


def _wait_for(urls: list[str], timeout: float, wait: float, ca_bundle: str | None) -> None:
    """Each target answers (any status will do), retried for ``wait`` seconds: a pipeline may start the
    implementation and the check side by side."""
    deadline = time.monotonic() + wait
    for url in urls:
        while (unreachable := probe(url, timeout, ca_bundle=ca_bundle)) is not None:
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:g} s" if wait else " (--wait SECONDS to wait for it)"
                raise SuiteError(f"cannot reach {url}{waited}: {unreachable}")
            time.sleep(min(0.5, max(deadline - time.monotonic(), 0.05)))


def _init_targets(path: Path | None, apis: list[str], force: bool) -> int:
    text = template(apis, declared_objects())
    if path is None:
        print(text, end="")
        return 0
    if path.exists() and not force:
        raise UsageError(f"{path} exists: pass --force to overwrite it")
    path.write_text(text)
    print(f"conformance: wrote {path}")
    return 0


LONGEST_WAIT = 3600.0


def _check_numbers(args: argparse.Namespace) -> None:
    """Numbers a pipeline passes are refused up front when they cannot mean anything (nan, inf, negative);
    --timeout and --budget are checked with the credentials, in `configuration_problem`."""
    problems = []
    if args.max_examples < 1:
        problems.append("--max-examples must be at least 1")
    if not (math.isfinite(args.wait) and 0 <= args.wait <= LONGEST_WAIT):
        problems.append(f"--wait must be 0..{LONGEST_WAIT:g} seconds")
    if args.min_checks < 0:
        problems.append("--min-checks must be >= 0")
    if args.min_score is not None and not (math.isfinite(args.min_score) and 0 <= args.min_score <= 100):
        problems.append("--min-score must be a percentage, 0..100")
    if args.max_rps is not None and not (math.isfinite(args.max_rps) and args.max_rps >= 0):
        problems.append("--max-rps must be >= 0")
    if problems:
        raise UsageError("; ".join(problems))


def _settings(args: argparse.Namespace, all_apis: list[str]) -> RunSettings:
    apis = args.api or all_apis
    base_urls: dict[str, str] = {}
    objects: dict[str, dict[str, object]] = {}
    target_credentials: dict[str, str] = {}
    if args.target is not None:
        try:
            targets = load_targets(args.target, all_apis, only=args.api)
        except TargetsError as error:
            raise UsageError(str(error)) from None
        if not targets:
            raise UsageError(f"{args.target} names no API" + (f" of {', '.join(args.api)}" if args.api else ""))
        apis = [api for api in (args.api or sorted(targets)) if api in targets]
        base_urls = {api: entry.base_url for api, entry in targets.items()}
        objects = {api: entry.objects for api, entry in targets.items()}
        target_credentials = {api: entry.credential for api, entry in targets.items() if entry.credential}
    contracts = load_contracts(*args.contract)
    for api in apis:
        url = base_urls.get(api, args.base_url)
        corrected = misplaced_base_path(url, contracts[api].base_path)
        if corrected is not None:
            raise UsageError(
                f"{url} already ends with {api}'s base path {contracts[api].base_path}, which the contract adds: "
                f"use {corrected}"
            )
    known_rules = {rule.id for api in apis for rule in contracts[api].rules}
    unknown = sorted(set(args.rule) - known_rules)
    if unknown:
        raise UsageError(f"unknown rule id(s) {unknown} for {apis}")
    credentials = {**target_credentials, **_credentials(args.credential, all_apis)}
    problem = configuration_problem(credentials, budget=args.budget, timeout=args.timeout, ca_bundle=args.ca_bundle)
    if problem:
        raise UsageError(problem)
    _check_numbers(args)
    base_url = args.base_url or base_urls[apis[0]]
    return RunSettings(
        base_url=base_url,
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
        seed=args.seed if args.seed is not None else random.randrange(2**31),
        rule_ids=tuple(args.rule),
        timeout=args.timeout,
        ca_bundle=str(args.ca_bundle) if args.ca_bundle else None,
        contract_files=tuple(args.contract),
        scenario_dirs=tuple(args.scenarios),
    )


def _run(args: argparse.Namespace, all_apis: list[str]) -> int:
    settings = _settings(args, all_apis)
    urls = sorted({settings.base_urls.get(api, settings.base_url) for api in settings.apis})
    _wait_for(urls, settings.timeout, args.wait, settings.ca_bundle)
    ours = answers_admin(settings.base_url, settings.timeout, ca_bundle=settings.ca_bundle)
    kind = TargetKind(ours=ours, writes_allowed=args.allow_writes)
    settings = replace(settings, target_kind=kind)
    info = RunInfo.of(settings, seed=settings.seed if settings.seed is not None else 0)
    progress = RunProgress(verbose=args.verbose)
    for line in info.lines():
        progress.say(line)
    _announce(settings)
    began = time.monotonic()
    try:
        outcome = run(settings, cache_dir=args.cache_dir, verbose=args.verbose, on_start=progress.start,
                      on_result=progress.check)  # fmt: skip
    finally:
        progress.stop()
    info.duration = round(time.monotonic() - began, 2)
    info.interrupted = interrupt.requested()
    scored = scores(outcome.results, load_contracts(*settings.contract_files), list(settings.apis))
    metadata = info.as_dict()
    print_summary(outcome.results, scored, sys.stdout)
    written = []
    for path, write in ((args.json, lambda p: write_json(outcome.results, scored, metadata, p)),
                        (args.junit, lambda p: write_junit(outcome.results, metadata, p, scored)),
                        (args.html, lambda p: write_html(outcome.results, scored, metadata, p))):  # fmt: skip
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path)
            masking.mask_file(path)
            written.append(str(path))
    reports = f"; reports: {', '.join(written)}" if written else ""
    print(f"conformance: {info.duration:g} s, seed {info.seed}{reports}")
    try:
        code = exit_code((result.outcome for result in outcome.results), args.min_checks)
    except NothingChecked as error:
        reasons = sorted({result.reason for result in outcome.results if result.reason})
        why = "; ".join(reasons) or "no check was collected"
        raise NothingChecked(f"nothing was checked ({error}): {why}") from None
    below = [score for score in scored if args.min_score is not None and score.score < args.min_score]
    for score in below:
        print(f"conformance: {score.api} scores {score.score:g}%, below --min-score {args.min_score:g}",
              file=sys.stderr)  # fmt: skip
    return code or (1 if below else 0)


def _proxy(args: argparse.Namespace) -> int:
    # Imported here: `conformance run` starts without uvicorn and the proxy's validators (a signal sent early in a
    # run must find its handlers installed).
    from conformance.proxy.serve import ProxySettings
    from conformance.proxy.serve import serve as serve_proxy

    if not (0 < args.port < 65536):
        raise UsageError("--port must be 1..65535")
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    settings = ProxySettings(
        target=args.target, host=args.host, port=args.port, apis=args.api, record=args.record, strict=args.strict,
        timeout=args.timeout, reports={"junit": args.junit, "json": args.json, "html": args.html},
    )  # fmt: skip
    return serve_proxy(settings)


def _parity(args: argparse.Namespace) -> int:
    """0 the mock answered as the recording did, 1 it differs somewhere, 2 the replay could not proceed."""
    from conformance.parity import print_outcome, run_parity

    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    if not (math.isfinite(args.wait) and 0 <= args.wait <= LONGEST_WAIT):
        raise UsageError(f"--wait must be 0..{LONGEST_WAIT:g} seconds")
    _wait_for([args.base_url], args.timeout, args.wait, None)
    began = time.monotonic()
    outcome = run_parity(args.recording, args.base_url, args.fixtures, args.timeout)
    print_outcome(outcome, sys.stdout)
    print(f"conformance parity: {time.monotonic() - began:.1f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(outcome.as_dict(), indent=2) + "\n")
        masking.mask_file(args.json)
    if not outcome.replayed:
        raise NothingChecked(f"{args.recording}: no exchange could be replayed")
    return 1 if outcome.groups else 0


def main(argv: list[str] | None = None) -> int:
    """Credentials masked in all output; SIGTERM and a first Ctrl-C stop the run gracefully (exit 128 + signal)."""
    started = time.time()
    with masking.masked_terminal() as errors, interrupt.graceful_stop():
        try:
            all_apis = sorted(load_contracts(*_extra_contracts(argv)))
        except SuiteError as error:
            print(f"conformance: {error}", file=sys.stderr)
            return 2
        args = _parser(all_apis).parse_args(argv)
        code = _main(args, all_apis)
        if code == 2 and args.command == "run":
            write_error_reports(
                junit=args.junit, json_path=args.json, html=args.html, message=errors.last_line, started=started
            )
    if args.command == "proxy":
        return code  # a signal is how the proxy ends, not an interruption of it
    return interrupt.exit_code() or code


def _main(args: argparse.Namespace, all_apis: list[str]) -> int:
    try:
        if args.command == "list-rules":
            return print_rules(args.api or all_apis, args.json)
        if args.command == "init-targets":
            return _init_targets(args.path, args.api or all_apis, args.force)
        if args.command == "proxy":
            return _proxy(args)
        if args.command == "parity":
            return _parity(args)
        return _run(args, all_apis)
    except SuiteError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
