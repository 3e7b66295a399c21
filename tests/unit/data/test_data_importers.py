"""Importers: every freqtrade format in the shared data, Binance CSVs, and all-or-nothing failure."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.data.importers import ImportFailed, import_files, plan_import
from openalpha.data.importers.naming import Unrecognised, Unsupported, parse_name
from openalpha.data.store import ParquetStore

FT = Path("freqtrade/binance")
AMINAK = Path("aminak58_RL-Trading-Validation/binance/futures")


@pytest.mark.parametrize(
    ("rel", "label", "rows"),
    [
        (FT / "XRP_ETH-5m.feather", "spot/kline/XRPETH/5", 706),
        (FT / "futures/XRP_USDT_USDT-5m-futures.feather", "linear/kline/XRPUSDT/5", 1999),
        (FT / "futures/XRP_USDT_USDT-1h-futures.json.gz", "linear/kline/XRPUSDT/60", 100),
        (FT / "futures/XRP_USDT_USDT-1h-mark.feather", "linear/mark/XRPUSDT/60", 100),
        (FT / "futures/XRP_USDT_USDT-8h-funding_rate.feather", "linear/funding/XRPUSDT/funding", 91),
        (AMINAK / "BTC_USDT_USDT-15m-futures.json", "linear/kline/BTCUSDT/15", 3355),
        (AMINAK / "BTC_USDT_USDT-8h-funding_rate.json", "linear/funding/BTCUSDT/funding", 115),
        (Path("Dkotl_trade_bot/bybit/BTC_USDT-5m.feather"), "spot/kline/BTCUSDT/5", 8855),
        (
            Path("mohsenjfar_trade/05394495/bybit/futures/ETH_USDT_USDT-1h-funding_rate.feather"),
            "linear/funding/ETHUSDT/funding",
            2349,
        ),
        (Path("nautilus_trader/ADABTC-1m-2021-11-27.csv"), "spot/kline/ADABTC/1", 10),
    ],
)
def test_every_format_imports_row_for_row(
    shared_data: Path, store: ParquetStore, rel: Path, label: str, rows: int
) -> None:
    result = import_files([shared_data / rel], store)
    [(planned, added)] = result.datasets
    assert planned.label == label and added == rows
    cat, kind, sym, ivl = label.split("/")
    stored = store.read(cat, kind, sym, ivl)
    assert len(stored) == rows and stored.ts.is_monotonic_increasing
    if rel.suffix == ".feather":  # compare against the file read independently
        raw = pd.read_feather(shared_data / rel)
        np.testing.assert_array_equal(stored.ts, raw["date"].dt.as_unit("ms").astype("int64"))
        value = "rate" if kind == "funding" else "close"
        np.testing.assert_array_equal(stored[value], raw["open" if kind == "funding" else "close"])
    assert store.sources()[label] == ("bybit" if "bybit" in str(rel) else "binance")


def test_json_gz_and_feather_of_the_same_candles_agree(shared_data: Path) -> None:
    planned, _ = plan_import([shared_data / FT / "futures/XRP_USDT_USDT-1h-futures.json.gz"])
    feather, _ = plan_import([shared_data / FT / "futures/XRP_USDT_USDT-1h-futures.feather"])
    pd.testing.assert_frame_equal(planned[0].frame, feather[0].frame)


def test_binance_csv_values_and_turnover(shared_data: Path) -> None:
    [ds], _ = plan_import([shared_data / "nautilus_trader/ADABTC-1m-2021-11-28.csv"])
    raw = pd.read_csv(shared_data / "nautilus_trader/ADABTC-1m-2021-11-28.csv", header=None)
    np.testing.assert_array_equal(ds.frame.ts, raw[0])
    np.testing.assert_array_equal(ds.frame.turnover, raw[7])
    assert ds.exchange == "binance" and ds.category == "spot"


def test_binance_microsecond_timestamps_and_header(tmp_path: Path, store: ParquetStore) -> None:
    folder = tmp_path / "data/futures/um/daily/klines"
    folder.mkdir(parents=True)
    csv = folder / "BTCUSDT-1h-2025-01-01.csv"
    csv.write_text(
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n"
        "1735689600000000,1,2,0.5,1.5,10,1735693199999999,15,3,1,1,0\n"
    )
    result = import_files([csv], store)
    [(ds, _)] = result.datasets
    assert ds.label == "linear/kline/BTCUSDT/60" and int(ds.frame.ts.iloc[0]) == 1_735_689_600_000


def test_folder_walk_skips_what_it_does_not_take(shared_data: Path, store: ParquetStore) -> None:
    result = import_files([shared_data / "freqtrade"], store)
    skipped = {p.name: why for p, why in result.skipped}
    assert set(skipped) == {
        "XRP_ETH-trades.feather",
        "XRP_ETH-trades.json.gz",
        "XRP_USDT_USDT-8h-mark.feather",
    }
    assert "8h is not a Bybit kline interval" in skipped["XRP_USDT_USDT-8h-mark.feather"]
    labels = {ds.label for ds, _ in result.datasets}
    assert "spot/kline/XRPETH/1" in labels and "linear/funding/XRPUSDT/funding" in labels
    xrp_1h = next(ds for ds, _ in result.datasets if ds.label == "linear/kline/XRPUSDT/60")
    assert len(xrp_1h.files) == 2  # the feather and json.gz copies merge into one dataset


def test_named_unsupported_file_fails(shared_data: Path, store: ParquetStore) -> None:
    with pytest.raises(ImportFailed, match="trade ticks"):
        import_files([shared_data / FT / "XRP_ETH-trades.feather"], store)


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("BTC_USD_BTC-1h-futures.feather", Unsupported),
        ("BTC_USDT_USDT-1h-premiumIndex.feather", Unsupported),
        ("BTC_USDT-3d.feather", Unsupported),
        ("BTC_USDT_USDT-1h.feather", Unrecognised),
        ("notes.txt", Unrecognised),
    ],
)
def test_naming_rejections(tmp_path: Path, name: str, error: type[Exception]) -> None:
    path = tmp_path / "bybit" / name
    with pytest.raises(error):
        parse_name(path)


def test_exchange_must_be_known_or_given(tmp_path: Path) -> None:
    path = tmp_path / "BTC_USDT-5m.feather"
    with pytest.raises(Unrecognised, match="--exchange"):
        parse_name(path)
    assert parse_name(path, exchange="bybit").exchange == "bybit"


def _corrupt_cases(tmp: Path, shared: Path) -> dict[str, tuple[Path, str]]:
    good = shared / FT / "futures/XRP_USDT_USDT-5m-futures.feather"
    base = tmp / "binance/futures"
    base.mkdir(parents=True)
    truncated = base / "BTC_USDT_USDT-5m-futures.feather"
    truncated.write_bytes(good.read_bytes()[:3000])
    bad_json = base / "ETH_USDT_USDT-5m-futures.json"
    bad_json.write_text('[[1700000000000, 1.0, 2.0, 0.5, 1.5, 10.0], [1700000300000, "x"')
    wrong_cols = base / "SOL_USDT_USDT-5m-futures.feather"
    pd.read_feather(good).rename(columns={"close": "last"}).to_feather(wrong_cols)
    bad_gz = base / "ADA_USDT_USDT-5m-futures.json.gz"
    bad_gz.write_bytes(gzip.compress(b"[[1,2,3]]")[:-6])
    misaligned = base / "DOT_USDT_USDT-5m-futures.json"
    misaligned.write_text("[[1700000000001, 1.0, 2.0, 0.5, 1.5, 10.0]]")
    return {
        "truncated feather": (truncated, "not a readable feather file"),
        "bad json": (bad_json, "bad JSON"),
        "wrong columns": (wrong_cols, "missing columns \\['close'\\]"),
        "bad gzip": (bad_gz, "gzip"),
        "misaligned": (misaligned, "not a 5 bar open time"),
    }


@pytest.mark.parametrize("case", ["truncated feather", "bad json", "wrong columns", "bad gzip", "misaligned"])
def test_corrupt_file_fails_and_nothing_is_written(
    tmp_path: Path, shared_data: Path, store: ParquetStore, case: str
) -> None:
    bad, message = _corrupt_cases(tmp_path, shared_data)[case]
    good_copy = tmp_path / "binance/futures/XRP_USDT_USDT-1h-futures.feather"
    shutil.copy(shared_data / FT / "futures/XRP_USDT_USDT-1h-futures.feather", good_copy)
    with pytest.raises(ImportFailed, match=message) as info:
        import_files([good_copy, bad], store)  # the good file comes first: still nothing written
    assert "\n" not in str(info.value) and str(bad) in str(info.value)
    assert not store.root.exists() or not any(store.root.rglob("*.parquet"))


def test_exchanges_are_never_mixed(shared_data: Path, store: ParquetStore) -> None:
    import_files([shared_data / "Dkotl_trade_bot/bybit/futures/BTC_USDT_USDT-5m-futures.feather"], store)
    before = store.path("linear", "kline", "BTCUSDT", "5").read_bytes()
    binance = shared_data / "mohsenjfar_trade/17ea10e9/binance/futures/BTC_USDT_USDT-5m-futures.feather"
    with pytest.raises(ImportFailed, match="already holds bybit data; refusing to mix in binance"):
        import_files([binance], store)
    assert store.path("linear", "kline", "BTCUSDT", "5").read_bytes() == before
    with pytest.raises(ImportFailed, match="in one import"):
        plan_import(
            [
                binance,
                shared_data / AMINAK / "BTC_USDT_USDT-5m-futures.json",
                shared_data / "Logashan_freqtrade-news-ml/bybit/futures/BTC_USDT_USDT-5m-futures.feather",
            ]
        )


def test_missing_path_fails(tmp_path: Path, store: ParquetStore) -> None:
    with pytest.raises(ImportFailed, match="no such file"):
        import_files([tmp_path / "nope.feather"], store)
