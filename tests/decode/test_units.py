"""Unit tests of decode_batch on synthetic frames (valid parity, one field at a time), checked
against pyModeS 3 where it decodes the same field, and of the reject paths."""

from __future__ import annotations

import numpy as np
import pytest

from skywitness.decode import decode_batch, frames_from_hex
from skywitness.model import CprKind, FrameBatch, Messages, RejectReason, SourceKind

from .frames import es_frame, id13, me_bits, with_parity


def _decode(*frames: str) -> Messages:
    return decode_batch(frames_from_hex(list(frames)))


def test_empty_batch() -> None:
    assert len(decode_batch(FrameBatch.empty())) == 0


def test_mode_ac_replies() -> None:
    msg = _decode("1234", "7700", "0080")
    assert msg.df.tolist() == [-1, -1, -1]
    assert msg.modeac.tolist() == [1234, 7700, 0]
    assert msg.spi.tolist() == [0, 0, 1]
    assert (msg.kind == SourceKind.MODE_AC).all() and (msg.reject == 0).all()
    assert (msg.icao24 == 0).all() and np.isnan(msg.altitude).all()


def test_reject_paths() -> None:
    good17 = "8d406b902015a678d4d220aa4bda"
    bad_crc = good17[:-2] + "00"
    df11_iid = with_parity(bytes.fromhex("5d4840d6"))  # remainder 0
    df11_with_iid = df11_iid[:-2] + f"{int(df11_iid[-2:], 16) ^ 0x05:02x}"  # II code 5
    df11_noise = df11_iid[:-2] + f"{int(df11_iid[-2:], 16) ^ 0xC8:02x}"  # remainder 200
    msg = _decode(good17, bad_crc, good17[:14], df11_with_iid, df11_noise, "c0" + "00" * 13)
    assert msg.reject.tolist() == [
        RejectReason.OK,
        RejectReason.CRC,
        RejectReason.BAD_LENGTH,  # a DF17 cut to 7 bytes
        RejectReason.OK,
        RejectReason.CRC,
        RejectReason.UNSUPPORTED_DF,  # DF24
    ]
    assert msg.icao24.tolist() == [0x406B90, 0, 0, 0x4840D6, 0, 0]
    assert msg.callsign[0] == "EZY85MH" and msg.category[0] == 4 * 8 + 0
    assert (msg.kind[3], bool(msg.address_verified[3])) == (SourceKind.MODE_S_CHECKED, True)


def test_tc28_emergency_squawk() -> None:
    msg = _decode(es_frame(me_bits((28, 5), (1, 3), (1, 3), (id13("7700"), 13))))
    assert (msg.typecode[0], msg.bds[0], msg.emergency[0], msg.squawk[0]) == (28, 0x61, 1, 7700)


def test_tc31_operational_status() -> None:
    fields = ((31, 5), (0, 3), (0, 16), (0, 16), (2, 3), (1, 1), (9, 4), (0, 2), (3, 2))
    row = _decode(es_frame(me_bits(*fields))).row(0)
    assert (row["adsb_version"], row["nic_supplement"], row["nac_p"], row["sil"]) == (2, 1, 9, 3)
    v0 = _decode(es_frame(me_bits((31, 5), (0, 3), (0, 32), (0, 3), (1, 1), (9, 4)))).row(0)
    assert (v0["adsb_version"], v0["nac_p"]) == (0, -1)


def test_tc20_gnss_height_and_cpr() -> None:
    fields = ((20, 5), (0, 2), (0, 1), (1500, 12), (0, 1), (1, 1), (1000, 17), (2000, 17))
    row = _decode(es_frame(me_bits(*fields))).row(0)
    assert row["geoaltitude"] == pytest.approx(1500 * 3.28084)  # metres, as pyModeS 3
    assert "altitude" not in row
    assert (row["cpr_kind"], row["cpr_odd"], row["cpr_lat"], row["cpr_lon"]) == (
        CprKind.AIRBORNE,
        1,
        1000,
        2000,
    )
    assert (row["nuc_p"], row["onground"]) == (9, 0)


def test_tc19_airspeed_subtype() -> None:
    fields = ((19, 5), (3, 3), (0, 5), (1, 1), (512, 10), (1, 1), (251, 10), (1, 1), (1, 1))
    row = _decode(es_frame(me_bits(*fields, (11, 9)))).row(0)
    assert (row["heading"], row["tas"], row["vertical_rate"]) == (180.0, 250.0, -640.0)
    assert "ias" not in row and "groundspeed" not in row
    supersonic = ((19, 5), (4, 3), (0, 5), (0, 1), (0, 10), (0, 1), (101, 10), (0, 1), (0, 1))
    row = _decode(es_frame(me_bits(*supersonic, (0, 9)))).row(0)
    assert (row["ias"], "heading" in row, "vertical_rate" in row) == (400.0, False, False)


def test_tc29_target_state() -> None:
    row = _decode("8d3461ceea0dc870013c0028c2c4").row(0)
    assert (row["selected_altitude"], row["nac_p"], row["sil"]) == (7008.0, 9, 3)
    assert row["baro_setting"] == pytest.approx(1015.2)


def test_df18_control_field() -> None:
    position = me_bits((11, 5), (0, 2), (0, 1), (1500, 12))
    imf_set = me_bits((11, 5), (0, 2), (1, 1), (1500, 12))
    ident = me_bits((4, 5), (3, 3), (0, 48))
    frames = [
        es_frame(position, df=18, ca_or_cf=0),
        es_frame(ident, df=18, ca_or_cf=1),
        es_frame(position, df=18, ca_or_cf=2),
        es_frame(imf_set, df=18, ca_or_cf=2),
        es_frame(me_bits((1, 1), (11, 5)), df=18, ca_or_cf=3),
        es_frame(position, df=18, ca_or_cf=4),
        es_frame(position, df=18, ca_or_cf=5),
        es_frame(imf_set, df=18, ca_or_cf=6),
        es_frame(position, df=18, ca_or_cf=7),
    ]
    msg = _decode(*frames)
    assert msg.kind.tolist() == [10, 10, 8, 8, 8, 0, 8, 9, 0]
    assert msg.non_icao.tolist() == [False, True, False, True, True, False, True, True, False]
    assert msg.reject.tolist() == [0, 0, 0, 0, 0, 4, 0, 0, 4]
    assert msg.typecode.tolist() == [11, 4, 11, 11, -1, -1, 11, 11, -1]
    assert msg.altitude[0] == 17700.0 and msg.category[1] == 4 * 8 + 3


def test_surveillance_headers() -> None:
    msg = _decode(
        "0060e328e00000",  # DF0, VS=0, Gillham altitude
        "2000179f86b805",  # DF4: pyModeS 3 and rs1090 0.7 both give 34608a, 36975 ft
        "28001a1f000000",  # DF5 with an arbitrary parity: AP gives some address
    )
    assert msg.df.tolist() == [0, 4, 5]
    assert msg.altitude[:2].tolist() == [12700.0, 36975.0]
    assert msg.icao24[1] == 0x34608A
    assert (msg.kind == SourceKind.MODE_S).all() and not msg.address_verified.any()
    assert msg.onground[0] == 0 and msg.squawk[2] >= 0


def test_commb_ambiguity_leaves_fields_empty() -> None:
    # BDS 5,0 and 6,0 both fit and no consistency check separates them (EHS sample).
    msg = _decode("a0001910ffc000000004ad0e6fc9")
    assert bool(msg.bds_ambiguous[0]) and msg.bds[0] == 0
    assert np.isnan([msg.roll[0], msg.tas[0], msg.heading[0], msg.vertical_rate[0]]).all()
    assert msg.altitude[0] == 39000.0  # the header still decodes


def test_frames_from_hex_errors() -> None:
    with pytest.raises(ValueError, match="frame 1: bad hex"):
        frames_from_hex(["8d406b902015a678d4d220aa4bda", "zz" * 14])
    with pytest.raises(ValueError, match="frame 0"):
        frames_from_hex(["abc"])
    batch = frames_from_hex(["1234", "0060e328e00000"], [1.0, 2.0], source="x")
    assert batch.length.tolist() == [2, 7] and batch.timestamp.tolist() == [1.0, 2.0]
