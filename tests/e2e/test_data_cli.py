"""``openalpha data list|verify|import`` as a user runs them (subprocess, real files, temp home)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MOHS_BINANCE = Path("mohsenjfar_trade/17ea10e9/binance/futures")


def oa(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENALPHA_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "openalpha", "data", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def one_error_line(out: subprocess.CompletedProcess[str]) -> str:
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(("openalpha: error:", "openalpha data")), lines[0]
    return lines[0]


def test_sample_import_list_verify(tmp_path: Path) -> None:
    out = oa(tmp_path, "import", "--sample")
    assert out.returncode == 0, out.stderr
    assert "sample: 14 datasets, 350,340 rows (350,340 new)" in out.stdout
    again = oa(tmp_path, "import", "--sample")
    assert again.returncode == 0 and "(0 new)" in again.stdout
    listing = oa(tmp_path, "list")
    assert listing.returncode == 0, listing.stderr
    header, *_ = listing.stdout.splitlines()
    assert header.split() == [
        "symbol",
        "category",
        "kind",
        "interval",
        "first",
        "last",
        "rows",
        "known",
        "gaps",
        "source",
    ]
    assert (
        "BTCUSDT  linear    kline    60        2023-12-18 00:00  2026-07-21 16:00  22,721" in listing.stdout
    )
    assert "14 datasets, 350,340 rows" in listing.stdout
    verify = oa(tmp_path, "verify")
    assert verify.returncode == 0 and "14 datasets checked: 0 problem(s)" in verify.stdout


def test_verify_reports_real_gaps_with_exit_1(tmp_path: Path, shared_data: Path) -> None:
    files = [str(shared_data / MOHS_BINANCE / f"{c}_USDT_USDT-1h-futures.feather") for c in ("BTC", "ETH")]
    imported = oa(tmp_path, "import", *files)
    assert imported.returncode == 0, imported.stderr
    out = oa(tmp_path, "verify", "--intervals", "1h")
    assert out.returncode == 1
    rows = [line for line in out.stdout.splitlines() if " gap " in line]
    assert len(rows) == 4 and all("500 missing 60 bars" in r for r in rows)
    assert "2024-11-11 16:00  2024-12-02 12:00" in rows[0]
    assert "2 datasets checked: 4 problem(s)" in out.stdout
    listing = oa(tmp_path, "list", "--symbols", "ETHUSDT")
    assert "binance" in listing.stdout and "BTCUSDT" not in listing.stdout


def test_verify_folds_long_lists(tmp_path: Path, shared_data: Path) -> None:
    oa(tmp_path, "import", str(shared_data / "freqtrade/binance/XRP_ETH-1m.feather"))
    out = oa(tmp_path, "verify")
    assert out.returncode == 1 and "… and 671 more (--all shows them)" in out.stdout
    full = oa(tmp_path, "verify", "--all")
    assert sum(" gap " in line for line in full.stdout.splitlines()) == 676


def test_corrupt_file_imports_nothing(tmp_path: Path, shared_data: Path) -> None:
    folder = tmp_path / "in/bybit/futures"
    folder.mkdir(parents=True)
    good = folder / "BTC_USDT_USDT-1h-mark.feather"
    shutil.copy(shared_data / "Dkotl_trade_bot/bybit/futures/BTC_USDT_USDT-1h-mark.feather", good)
    bad = folder / "ETH_USDT_USDT-1h-futures.json"
    bad.write_text("[[1, 2, 3")
    out = oa(tmp_path / "home", "import", str(tmp_path / "in"))
    assert out.returncode == 2
    line = one_error_line(out)
    assert str(bad) in line and "bad JSON" in line and line.endswith("(nothing imported)")
    assert not (tmp_path / "home/data").exists() or not any((tmp_path / "home/data").rglob("*.parquet"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import",), "nothing to import"),
        (("import", "/no/such/file.feather"), "no such file"),
        (("import", "--exchange", "bad name!", "x"), "--exchange"),
        (("verify",), "nothing to verify"),
        (("verify", "--intervals", "7"), "--intervals: unknown interval"),
        (("verify", "--max-divergence", "2"), "--max-divergence"),
        (("verify", "--symbols", ","), "--symbols: empty list"),
        (("list", "--bogus"), "unrecognized arguments"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = oa(tmp_path, *args)
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in one_error_line(out)


def test_list_on_empty_store_says_what_to_do(tmp_path: Path) -> None:
    out = oa(tmp_path, "list")
    assert out.returncode == 0 and "openalpha data import --sample" in out.stdout
