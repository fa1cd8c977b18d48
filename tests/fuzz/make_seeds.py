#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (committed; rerun by hand after changing this file):

  tests/fuzz/corpus/fuzz_protocol_decode/*.json  every message of docs/PROTOCOL.md, both directions,
                                                 plus malformed and edge-case frames
  tests/fuzz/corpus/fuzz_hub/*.bin               scripts in fuzz_hub's format (see fuzz_hub.cpp)
  tests/fuzz/corpus/fuzz_session_token/*.bin     inputs in fuzz_session_token's format (see there)
  tests/fuzz/corpus/fuzz_stun/*.bin              a source address + a STUN datagram (see fuzz_stun.cpp):
                                                 the RFC 5769 vectors, a browser's request, 420 cases
  tests/fuzz/corpus/fuzz_peer_protocol/*.bin     data channel messages (docs/PROTOCOL.md, "Peer to peer"),
                                                 several per input separated by 0x1E

Crash inputs found later go to tests/fuzz/regressions/<target>/, not here.
"""
import json
import pathlib
import shutil
import struct

HERE = pathlib.Path(__file__).resolve().parent
SDP = (HERE.parent.parent / "bench/data/chromium-offer.sdp").read_text()
SHORT_SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host"


def js(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


PROTOCOL = {
    # client -> server
    "hello": '{"type":"hello","version":1}',
    "hello-v2": '{"type":"hello","version":2}',
    "create-room": '{"type":"create-room","name":"Standup","capacity":6}',
    "create-room-default-capacity": '{"type":"create-room","name":"  김민지의 방  "}',
    "create-room-null-capacity": '{"type":"create-room","name":"Standup","capacity":null}',
    "join": '{"type":"join","room":3,"name":"Minji","mic":true,"camera":true}',
    "join-minimal": '{"type":"join","room":4294967295,"name":"\\u00a0Joon\\u3000"}',
    "leave": '{"type":"leave"}',
    "signal-offer": js({"type": "signal", "to": 7, "kind": "offer", "sdp": SHORT_SDP}),
    "signal-offer-chromium": js({"type": "signal", "to": 7, "kind": "offer", "sdp": SDP}),
    "signal-answer": js({"type": "signal", "to": 7, "kind": "answer", "sdp": "v=0\r\n"}),
    "signal-candidate": js({"type": "signal", "to": 7, "kind": "candidate",
                            "candidate": {"candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0}}),
    "signal-candidate-nulls": js({"type": "signal", "to": 7, "kind": "candidate",
                                  "candidate": {"candidate": CANDIDATE, "sdpMid": None, "sdpMLineIndex": None}}),
    "signal-end-of-candidates": '{"type":"signal","to":7,"kind":"candidate","candidate":{"candidate":""}}',
    "signal-spoofed": '{"type":"signal","from":5,"to":7,"kind":"offer","sdp":"v=0"}',
    "media": '{"type":"media","mic":false,"camera":true}',
    "media-signal-publish-offer": js({"type": "media-signal", "link": "publish", "kind": "offer", "sdp": SDP}),
    "media-signal-subscribe-answer": js({"type": "media-signal", "link": "subscribe", "kind": "answer", "sdp": SHORT_SDP}),
    "media-signal-candidate": js({"type": "media-signal", "link": "publish", "kind": "candidate",
                                  "candidate": {"candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0}}),
    "media-signal-bad-link": '{"type":"media-signal","link":"both","kind":"offer","sdp":"v=0"}',
    "media-restart": '{"type":"media-restart"}',
    # server -> client
    "welcome": '{"type":"welcome","version":2,"rooms":[{"id":1,"name":"Standup","participants":2,"capacity":6}],'
               '"limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":8,"heartbeatMs":2000,"resumeGraceMs":20000}}',
    "welcome-empty": '{"type":"welcome","version":2,"rooms":[],"limits":{"maxNameChars":32,"maxRoomNameChars":48,'
                     '"maxCapacity":8,"heartbeatMs":250,"resumeGraceMs":0}}',
    "welcome-no-timings": '{"type":"welcome","version":2,"rooms":[],"limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":8}}',
    "room-created": '{"type":"room-created","room":{"id":3,"name":"Standup","participants":0,"capacity":6}}',
    "room-updated": '{"type":"room-updated","room":{"id":3,"name":"Standup","participants":1,"capacity":6}}',
    "joined": '{"type":"joined","room":{"id":3,"name":"Standup","participants":2,"capacity":6},'
              '"self":{"id":5,"name":"Minji","mic":true,"camera":true},"token":"9f2c4e1ab07d45c3b8e6a1d0f4c2e7b9",'
              '"peers":[{"id":4,"name":"Joon","mic":false,"camera":true}]}',
    "peer-joined": '{"type":"peer-joined","peer":{"id":5,"name":"Minji","mic":true,"camera":true}}',
    "peer-left": '{"type":"peer-left","peer":5}',
    "left": '{"type":"left"}',
    "relayed-offer": js({"type": "signal", "from": 5, "kind": "offer", "sdp": SDP}),
    "relayed-candidate": js({"type": "signal", "from": 5, "kind": "candidate",
                             "candidate": {"candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0}}),
    "peer-media": '{"type":"peer-media","peer":5,"mic":false,"camera":true}',
    "media-signal-subscribe-offer": js({"type": "media-signal", "link": "subscribe", "kind": "offer", "sdp": SDP,
                                        "streams": [{"mid": "0", "peer": 3, "kind": "audio"},
                                                    {"mid": "1", "peer": 3, "kind": "video", "screen": False}]}),
    "media-signal-publish-answer": js({"type": "media-signal", "link": "publish", "kind": "answer", "sdp": SHORT_SDP}),
    "media-state": '{"type":"media-state","state":"reset"}',
    "error": '{"type":"error","code":"room-full","message":"Room \\"Standup\\" is full (6/6).","request":"join"}',
    "error-unknown-code": '{"type":"error","code":"from-the-future","message":"Newer server."}',
    # malformed and edge cases
    "bad-json": '{"type":"hello","version":1',
    "not-an-object": '[{"type":"hello"}]',
    "missing-type": '{"version":1}',
    "type-not-string": '{"type":7}',
    "unknown-type": '{"type":"teleport"}',
    "bad-field-float": '{"type":"join","room":3.0,"name":"x"}',
    "bad-field-negative": '{"type":"join","room":-1,"name":"x"}',
    "bad-field-big": '{"type":"join","room":4294967296,"name":"x"}',
    "bad-kind": '{"type":"signal","to":7,"kind":"pranswer","sdp":"v=0"}',
    "duplicate-keys": '{"type":"hello","version":1,"version":2,"type":"leave"}',
    "escapes": '{"type":"create-room","name":"\\ud83d\\ude00 \\u0000\\b\\f\\n\\r\\t\\/\\\\\\""}',
    "lone-surrogate": '{"type":"create-room","name":"\\udc00"}',
    "long-escapes": js({"type": "signal", "to": 1, "kind": "offer",
                        "sdp": "\\" * 300 + "\U0001F600" * 80 + "\"\u2028\x01" * 100}),
    "long-key": js({"x" * 300: "y" * 300, "type": "left"}),
    "nested": '{"type":"leave","deep":' + "[" * 200 + "]" * 200 + "}",
}


def write_protocol():
    folder = HERE / "corpus/fuzz_protocol_decode"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, text in PROTOCOL.items():
        (folder / f"{name}.json").write_bytes(text.encode("utf-8"))
    (folder / "bad-utf8.json").write_bytes(b'{"type":"create-room","name":"\xc3\x28"}')
    (folder / "overlong-utf8.json").write_bytes(b'{"type":"create-room","name":"\xc0\xaf"}')


# ---- fuzz_hub scripts ----------------------------------------------------------------------------
CONNECT, DISCONNECT, RAW, HELLO, CREATE, JOIN, SIGNAL, LEAVE, MEDIA, BINARY, OVERSIZE, SPOOF, NEAR_LIMIT, CLOCK, MORE = range(15)
# MORE's operations (the byte after the op byte)
RESUME, CREATE_PW, JOIN_PW, RESULT, RENAME, DELETE, LOST, RESTART = range(8)
# fuzz_hub's kPasswords: "", "pw1", "pw2", "p\"w"; kClients: "", "tabA", "tabB", "tabA"
PW1, PW2 = 1, 2


def op(code, conn):
    return bytes([code | (conn << 4)])


def name(text=None, index=0):
    if text is None:
        return bytes([index])
    raw = text.encode("utf-8")
    return bytes([0x80, len(raw)]) + raw


def raw(conn, text):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return op(RAW, conn) + struct.pack("<H", len(data)) + data


def hello(conn, version=1):
    return op(HELLO, conn) + bytes([0 if version == 1 else 0xF0 + version])


def create(conn, room_name, capacity=6):
    return op(CREATE, conn) + name(room_name) + bytes([capacity])


def join(conn, room, who, flags=3):
    return op(JOIN, conn) + bytes([room]) + name(who) + bytes([flags])


def sdp_signal(conn, to, kind, sdp):
    data = sdp.encode("utf-8")
    return op(SIGNAL, conn) + bytes([to, kind]) + struct.pack("<H", len(data)) + data


def candidate_signal(conn, to, candidate, mid="0", index=0):
    c, m = candidate.encode(), mid.encode()
    return op(SIGNAL, conn) + bytes([to, 2, len(c)]) + c + bytes([len(m)]) + m + bytes([index])


def simple(code, conn):
    return op(code, conn)


def config(max_rooms=8, small_messages=False, loose_limit=False, ice=False, relay=False):
    return bytes([(max_rooms - 1) | (8 if small_messages else 0) | (0x10 if loose_limit else 0)
                  | (0x40 if ice else 0) | (0x80 if relay else 0)])


def connect(conn, address=0, host=0):
    """address 0 or 1: fuzz_hub's kAddresses; host 0 or 1: kHosts (1 cannot go into a URI)."""
    return bytes([CONNECT | (conn << 4) | (address << 6) | (host << 7)])


def more(conn, sub, *args):
    return op(MORE, conn) + bytes([sub]) + b"".join(a if isinstance(a, bytes) else bytes([a]) for a in args)


def clock(b):
    """b < 0xE0: (b + 1) * 50 ms; 0xE0 + i: kBigSteps[i] (19.999 s, 20 s, 60 s, 150 s, 300 s, 301 s, 1 h, 31 days)."""
    return op(CLOCK, 0) + bytes([b])


def resume(conn, token, mangle=0, pos=0, who=4, flags=3, extra=b""):
    """token: index into the tokens seen; mangle 0: as is, 1: byte at pos replaced by extra, 2: cut, 3: other MAC."""
    return more(conn, RESUME, token, mangle, pos, extra, name(index=who), flags)


def result(job=0, fail=0):
    return more(0, RESULT, job, 3 if fail else 0)


PING = '{"type":"ping"}'


def numbered(to, seq):
    return '{"type":"signal","to":%d,"kind":"offer","sdp":"v=0","seq":%d}' % (to, seq)


def call(n):
    """n connections hello, conn 0 creates room 1, all join (peer ids 1..n)."""
    s = b""
    for c in range(n):
        s += simple(CONNECT, c) + hello(c)
    s += create(0, "Standup", 4)
    for c in range(n):
        s += join(c, 1, ["Minji", "Joon", "김민지", "Alex"][c])
    return s


HUB = {
    "call-offer-answer-candidates": config() + call(2) + sdp_signal(1, 1, 0, SHORT_SDP) + sdp_signal(0, 2, 1, "v=0\r\n")
    + candidate_signal(0, 2, CANDIDATE) + candidate_signal(1, 1, "", "", 0),
    "call-chromium-offer": config() + call(3) + sdp_signal(2, 1, 0, SDP) + sdp_signal(2, 2, 0, SDP),
    "call-media-leave-rejoin": config() + call(3) + op(MEDIA, 1) + bytes([1]) + simple(LEAVE, 1)
    + join(1, 1, "Joon again", 0) + sdp_signal(1, 2, 0, "v=0") + simple(DISCONNECT, 2) + sdp_signal(0, 3, 0, "v=0"),
    "call-room-full": config() + call(4) + simple(CONNECT, 0) + join(0, 1, "Late"),
    "signal-to-self-and-gone": config() + call(2) + sdp_signal(0, 1, 0, "v=0") + simple(DISCONNECT, 1)
    + sdp_signal(0, 2, 0, "v=0") + simple(CONNECT, 1) + hello(1) + join(1, 1, "Back") + sdp_signal(0, 3, 0, "v=0"),
    "two-rooms-cross-signal": config() + simple(CONNECT, 0) + hello(0) + simple(CONNECT, 1) + hello(1)
    + create(0, "A") + create(1, "B") + join(0, 1, "a") + join(1, 2, "b") + sdp_signal(0, 2, 0, "v=0"),
    "too-many-rooms": config(max_rooms=2) + simple(CONNECT, 0) + hello(0) + create(0, "one") + create(0, "two")
    + create(0, "three") + create(0, "ONE") + create(0, "   ") + create(0, "x", 1) + create(0, "y", 9),
    "hello-gating-and-mismatch": config() + simple(CONNECT, 0) + create(0, "early") + simple(LEAVE, 0)
    + hello(0, 2) + simple(CONNECT, 0) + hello(0) + hello(0) + simple(BINARY, 0) + simple(OVERSIZE, 0),
    "mismatch-in-room": config() + call(2) + hello(1, 3) + sdp_signal(0, 2, 0, "v=0"),
    "spoofed": config() + call(2) + op(SPOOF, 0) + bytes([2, 1]) + op(SPOOF, 3) + bytes([1, 1]),
    "loose-limit": config(loose_limit=True) + call(2) + sdp_signal(0, 2, 0, SHORT_SDP) + sdp_signal(1, 1, 1, "v=0")
    + simple(OVERSIZE, 1),
    "near-codec-limit": config() + call(2) + op(NEAR_LIMIT, 0) + bytes([2, 0]) + op(NEAR_LIMIT, 1) + bytes([1, 255])
    + SHORT_SDP.encode(),
    "small-limit": config(small_messages=True) + call(2) + sdp_signal(0, 2, 0, "x" * 300) + simple(OVERSIZE, 1),
    "raw-frames": config() + simple(CONNECT, 0) + b"".join(raw(0, t) for t in PROTOCOL.values() if len(t) < 2000)
    + simple(CONNECT, 1) + raw(1, '{"type":"hello","version":1}') + raw(1, '{"type":"create-room","name":"R"}')
    + raw(1, '{"type":"join","room":1,"name":"Raw"}') + raw(0, '{"type":"join","room":1,"name":"Raw2"}')
    + raw(0, '{"type":"signal","to":1,"kind":"candidate","candidate":{"candidate":"","sdpMid":null}}')
    + raw(1, b'{"type":"leave"\xff}'),
    "names": config() + simple(CONNECT, 0) + hello(0) + b"".join(op(CREATE, 0) + bytes([i, 6]) for i in range(14))
    + join(0, 1, "") + join(0, 1, "\t") + join(0, 1, "x" * 33) + join(0, 1, "ok"),
    # ---- resume, passwords, clock, restarts, owners (MORE and CLOCK) ----
    "resume-after-lost": config() + call(2) + more(1, LOST) + sdp_signal(0, 2, 0, "v=0") + clock(10)
    + connect(1) + hello(1) + resume(1, 1) + sdp_signal(1, 1, 0, "v=0") + connect(2) + hello(2) + resume(2, 2)
    + resume(1, 0) + simple(DISCONNECT, 2) + connect(3) + hello(3) + resume(3, 2),
    "resume-after-grace": config() + call(2) + more(1, LOST) + clock(0xE0) + connect(1) + hello(1) + resume(1, 1)
    + more(0, LOST) + clock(0xE1) + connect(0) + hello(0) + resume(0, 0) + resume(0, 1, 1, 5, extra=b"7"),
    "restart-restore": config() + call(3) + simple(LEAVE, 2) + more(0, RESTART) + connect(0) + hello(0) + resume(0, 0)
    + connect(1) + hello(1) + resume(1, 1) + connect(2) + hello(2) + resume(2, 2) + resume(2, 0) + connect(3)
    + hello(3) + resume(3, 1) + more(0, RESTART) + connect(0) + hello(0) + resume(0, 3) + resume(0, 4),
    "token-refresh-and-expiry": config() + call(2) + b"".join(raw(0, PING) + raw(1, PING) + clock(139) for _ in range(23))
    + more(1, LOST) + connect(1) + hello(1) + resume(1, 3) + more(1, LOST) + clock(0xE5) + connect(1) + hello(1)
    + resume(1, 1) + resume(1, 4),
    "locked-room": config() + connect(0) + hello(0) + connect(1, 1) + hello(1) + more(0, CREATE_PW, name("Locked"), 4, PW1)
    + result() + more(1, JOIN_PW, 1, name("Mallory"), 0, 3) + more(1, JOIN_PW, 1, name("Mallory"), PW2, 3) + result()
    + more(1, JOIN_PW, 1, name("Mallory"), PW2, 3) + more(1, JOIN_PW, 1, name("Mallory"), 3, 3) + result(0) + result(0)
    + more(1, JOIN_PW, 1, name("Mallory"), PW2, 3) + result() + more(1, JOIN_PW, 1, name("Mallory"), PW2, 3)
    + more(0, JOIN_PW, 1, name("Owner"), PW1, 3) + result() + clock(0xE2)
    + more(1, JOIN_PW, 1, name("Mallory"), PW1, 3) + result() + connect(2) + hello(2)
    + more(2, JOIN_PW, 1, name("Late"), PW1, 3) + simple(DISCONNECT, 2) + result()
    + more(0, CREATE_PW, name("Second"), 4, PW2) + simple(DISCONNECT, 0) + result(),
    "locked-room-restart": config() + connect(0) + hello(0) + more(0, CREATE_PW, name("Locked"), 4, PW1) + result()
    + more(0, JOIN_PW, 1, name("A"), PW1, 3) + more(0, RESTART) + connect(1) + hello(1)
    + more(1, JOIN_PW, 1, name("B"), PW2, 3) + result() + more(1, JOIN_PW, 1, name("B"), PW1, 3) + result(fail=1)
    + connect(0) + hello(0) + resume(0, 0),
    "rename-delete": config() + connect(0) + hello(0) + connect(1, 1) + hello(1) + create(0, "Mine") + create(1, "Theirs")
    + more(1, RENAME, 1, 5, name("Stolen")) + more(1, RENAME, 1, 3, name("Stolen")) + more(0, RENAME, 1, 0, name("Renamed"))
    + more(0, RENAME, 1, 0, name("theirs")) + join(1, 1, "Guest") + more(1, DELETE, 1, 5) + more(0, DELETE, 1, 0)
    + connect(2) + hello(2) + resume(2, 0) + more(1, DELETE, 2, 0) + more(0, RESTART) + connect(0) + hello(0)
    + create(0, "Mine") + join(0, 3, "Back"),
    "second-tab": config() + call(2) + more(2, JOIN_PW, 1, name("Tab"), 0, 0b0111) if False else
    config() + connect(0) + hello(0) + connect(1) + hello(1) + connect(2) + hello(2) + create(0, "Room")
    + more(0, JOIN_PW, 1, name("First"), 0, 0b0111) + more(1, JOIN_PW, 1, name("Second"), 0, 0b0111)
    + more(1, LOST) + more(2, JOIN_PW, 1, name("Third"), 0, 0b0111) + connect(1) + hello(1) + resume(1, 1),
    "silent-and-no-grace": config() + bytes([0x27]) [0:0] + bytes([0x27]) + call(2) if False else
    bytes([0x27]) + call(2) + more(1, LOST) + connect(1) + hello(1) + resume(1, 1) + clock(200) + raw(0, PING)
    + clock(0xE7),
    # ---- ICE servers: ice before joined / resumed, refreshed at half kTurnTtl (60 s: every 30 s) ----
    "ice-turn-refresh-resume": config(ice=True) + call(2) + b"".join(raw(0, PING) + raw(1, PING) + clock(139) for _ in range(10))
    + more(1, LOST) + connect(1) + hello(1) + resume(1, 1) + b"".join(raw(0, PING) + raw(1, PING) + clock(139) for _ in range(5))
    + more(0, RESTART) + connect(0) + hello(0) + resume(0, 0),
    "ice-relay-bad-host": config(ice=True, relay=True) + connect(0, host=1) + hello(0) + connect(1, 1, 0) + hello(1)
    + create(0, "Private") + join(0, 1, "Minji") + join(1, 1, "Joon") + clock(0xE4) + more(0, LOST)
    + connect(0, 0, 0) + hello(0) + resume(0, 0),
    "ice-nothing-configured": config() + call(2) + clock(0xE6),
    # ---- numbered signals: repeats dropped, a gap taken, kept for a held session, from 1 after a restart ----
    "numbered-signals": config() + call(2) + raw(0, numbered(2, 1)) + raw(0, numbered(2, 1)) + raw(0, numbered(2, 3))
    + raw(0, numbered(2, 2)) + raw(1, '{"type":"ping","seen":1}') + raw(1, numbered(1, 1)) + more(1, LOST)
    + raw(0, numbered(2, 4)) + sdp_signal(0, 2, 0, "v=0") + connect(1) + hello(1) + resume(1, 1)
    + raw(1, numbered(1, 1)) + raw(1, numbered(1, 2)) + raw(0, numbered(2, 5)) + more(0, RESTART) + connect(0) + hello(0)
    + resume(0, 0) + connect(1) + hello(1) + resume(1, 1) + raw(0, numbered(2, 1)) + raw(1, numbered(1, 1)),
}


def write_binary_corpus(target, inputs):
    folder = HERE / "corpus" / target
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name_, data in inputs.items():
        (folder / f"{name_}.bin").write_bytes(data)


def claims(peer, room, issued_at):
    return b"\x01" + struct.pack("<IIq", peer, room, issued_at)


# (position, character) edits of a signed token (format: fuzz_session_token.cpp); character 0
# changes case, position 0x80 + i inserts before i, 0xFE removes the last one, 0xFF appends.
def edits(*pairs):
    return b"".join(bytes([p, ord(c) if isinstance(c, str) else c]) for p, c in pairs)


SESSION_TOKEN = {
    "unchanged": claims(5, 3, 1795000000),
    "unchanged-extremes": claims(0xFFFFFFFF, 0xFFFFFFFF, -(2**63)),
    "same-character-back": claims(5, 3, 1795000000) + edits((3, "5")),
    "upper-case-mac": claims(5, 3, 1795000000) + edits(*[(p, 0) for p in range(60, 127, 3)]),
    "upper-case-nonce": claims(5, 3, 1795000000) + edits(*[(p, 0) for p in range(19, 35)]),
    "upper-case-prefix": claims(5, 3, 1795000000) + edits((0, 0)),
    "leading-zero": claims(5, 3, 1795000000) + edits((0x80 + 3, "0")),
    "plus-sign": claims(5, 3, 1795000000) + edits((0x80 + 5, "+")),
    "other-peer": claims(5, 3, 1795000000) + edits((3, "6")),
    "appended": claims(5, 3, 1795000000) + edits((0xFF, ".")),
    "truncated": claims(5, 3, 1795000000) + edits((0xFE, 0)),
    "raw-shape": b"\x00s1.5.3.1795000000.9f2c4e1ab07d45c3." + b"0" * 64,
    "raw-negative": b"\x00s1.-5.3.-1.9f2c4e1ab07d45c3." + b"f" * 64,
    "raw-empty-fields": b"\x00s1.....",
    "raw-long": b"\x00s1." + b"9" * 200,
}


# ---- fuzz_stun: source (byte 0 bit 0: IPv6; 16 address bytes; port) + datagram -------------------
def stun_source(address=b"\xc0\x00\x02\x01", port=32853, v6=False):
    return bytes([1 if v6 else 0]) + address.ljust(16, b"\0") + struct.pack(">H", port)


# RFC 5769 2.1, 2.2 and 2.4 (the responses too: they must not be answered).
RFC5769_REQUEST = bytes.fromhex(
    "000100582112a442b7e7a701bc34d686fa87dfae"
    "802200105354554e207465737420636c69656e74" "002400046e0001ff" "80290008932ff9b151263b36"
    "000600096576746a3a68367659202020"
    "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" "80280004e57a3bcf")
RFC5769_IPV4_RESPONSE = bytes.fromhex(
    "0101003c2112a442b7e7a701bc34d686fa87dfae" "8022000b7465737420766563746f7220"
    "0020000800 01a147e112a643".replace(" ", "")
    + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" "80280004c07d4c96")
RFC5769_LONG_TERM_REQUEST = bytes.fromhex(
    "000100602112a442 78ad3433c6ad72c029da412e".replace(" ", "")
    + "00060012e3839ee38388e383aae38383e382afe382b90000"
    + "0015001c662f2f343939 6b39353464364f4c33346f4c394653547679363473 41".replace(" ", "")
    + "0014000b6578616d706c652e6f726700"
    + "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666")
BROWSER_REQUEST = bytes.fromhex("000100002112a442" "0102030405060708090a0b0c")
UNKNOWN_REQUIRED = bytes.fromhex("0001000c2112a442" "0102030405060708090a0b0c" "0003000400000006" "77770000")
ALLOCATE = bytes.fromhex("000300002112a442" "0102030405060708090a0b0c")
STUN = {
    "rfc5769-request-v4": stun_source() + RFC5769_REQUEST,
    "rfc5769-request-v6": stun_source(bytes.fromhex("20010db8123456780011223344556677"), v6=True) + RFC5769_REQUEST,
    "rfc5769-ipv4-response": stun_source() + RFC5769_IPV4_RESPONSE,
    "rfc5769-long-term-request": stun_source(b"\x0a\x00\x00\x01", 5000) + RFC5769_LONG_TERM_REQUEST,
    "browser-request": stun_source(b"\x7f\x00\x00\x01", 50000) + BROWSER_REQUEST,
    "unknown-required": stun_source() + UNKNOWN_REQUIRED,
    "allocate": stun_source() + ALLOCATE,
    "too-short": stun_source() + BROWSER_REQUEST[:19],
}


# ---- fuzz_peer_protocol: data channel messages, 0x1E between messages -------------------------------
def peer_chat(id_, time, seq, text, **extra):
    return js({"v": 1, "type": "chat", "id": id_, "time": time, "seq": seq, "text": text, **extra})


def peer_history(id_, time, seq, text, from_, name):
    return js({"v": 1, "type": "history", "id": id_, "time": time, "seq": seq, "text": text, "from": from_, "name": name})


PEER = {
    "chat": peer_chat("m1", 1764801234567, 1, "hello").encode(),
    "history-korean": peer_history("h1", 999, 2, "안녕하세요", 3, "박보영").encode(),
    "conversation": "\x1e".join([peer_chat("a", 5, 1, "x"), peer_history("b", 5, 1, "y", 7, "Z"),
                                  peer_chat("a", 4, 2, "dup"), peer_chat("c", 5, 1, "line\nbreak\ttab")]).encode(),
    "longest-text": peer_chat("big", 1, 1, "\U0001F600" * 2000).encode(),
    "newer-version": js({"v": 2, "type": "file-offer", "id": "f"}).encode(),
    "unknown-type": js({"v": 1, "type": "poke", "id": "f"}).encode(),
    "control-text": peer_chat("c", 1, 1, "bell\u0007").encode(),
    "file-messages": "\x1e".join([js({"v": 1, "type": "file-offer", "id": "f1", "name": "report 2026.pdf", "size": 20971520}),
                                   js({"v": 1, "type": "file-accept", "id": "f1"}),
                                   js({"v": 1, "type": "file-decline", "id": "f1"}),
                                   js({"v": 1, "type": "file-cancel", "id": "f1"}),
                                   js({"v": 1, "type": "file-result", "id": "f1", "ok": True}),
                                   js({"v": 1, "type": "file-end", "size": 5, "sha256": "ab" * 32})]).encode(),
    "file-offer-path": js({"v": 1, "type": "file-offer", "id": "f2", "name": "../etc/passwd", "size": 1}).encode(),
    "views": "\x1e".join([js({"v": 1, "type": "view", "w": 320, "h": 180}), js({"v": 1, "type": "view", "w": 0, "h": 0}),
                          js({"v": 1, "type": "view", "w": 16384, "h": 1})]).encode(),
}


if __name__ == "__main__":
    write_protocol()
    write_binary_corpus("fuzz_hub", HUB)
    write_binary_corpus("fuzz_session_token", SESSION_TOKEN)
    write_binary_corpus("fuzz_stun", STUN)
    write_binary_corpus("fuzz_peer_protocol", PEER)
