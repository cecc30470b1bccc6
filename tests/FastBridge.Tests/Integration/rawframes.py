#!/usr/bin/env python3
"""Raw Ethernet frames for the FastBridge integration tests (stdlib only, AF_PACKET).

Run inside a test namespace:  ip netns exec NS python3 rawframes.py ...

  send    --if IF (--hex FRAMEHEX | --hex-file PATH)... [--count N] [--pace-us U]
          Sends each frame in the order given, N times over; frames from a file are one hex per line.
  capture --if IF --seconds S [--ethertype 0x88B5]... [--dst 01:80:c2:00:00:00]...
          Prints READY once listening, then each received frame as hex, one per line. A frame is
          printed if its EtherType (after any 802.1Q/802.1ad tags) or its destination matches a filter.
          Frames this interface sent itself are ignored. VLAN tags the kernel stripped into
          PACKET_AUXDATA are put back, so the printed bytes are the bytes on the wire.
          Stops after S seconds, when stdin closes, or on SIGTERM.
"""
import argparse
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
VLAN_TPIDS = (0x8100, 0x88A8)
MAX_COUNT = 100000
MAX_SECONDS = 600


def send(args):
    frames = [bytes.fromhex(h) for h in args.hex or []]
    for path in args.hex_file or []:
        with open(path) as f:
            frames.extend(bytes.fromhex(line.strip()) for line in f if line.strip())
    if not frames:
        sys.exit("send: no frames given")
    if not 1 <= args.count <= MAX_COUNT or len(frames) * args.count > MAX_COUNT:
        sys.exit(f"send: at most {MAX_COUNT} frames per run")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.interface, 0))
    pace = args.pace_us / 1e6
    for _ in range(args.count):
        for frame in frames:
            s.send(frame)
            if pace:
                time.sleep(pace)
    s.close()


def inner_ethertype(frame):
    offset = 12
    while offset + 2 <= len(frame):
        ethertype = struct.unpack_from("!H", frame, offset)[0]
        if ethertype not in VLAN_TPIDS:
            return ethertype
        offset += 4
    return -1


def capture(args):
    if not 0 < args.seconds <= MAX_SECONDS:
        sys.exit(f"capture: --seconds must be in (0, {MAX_SECONDS}]")
    ethertypes = {int(e, 0) for e in args.ethertype or []}
    dsts = {bytes.fromhex(d.replace(":", "")) for d in args.dst or []}
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((args.interface, ETH_P_ALL))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    out = sys.stdout
    out.write("READY\n")
    out.flush()
    deadline = time.monotonic() + args.seconds
    watch = [s, sys.stdin]
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        readable, _, _ = select.select(watch, [], [], left)
        if sys.stdin in readable:
            if not os.read(sys.stdin.fileno(), 4096):
                return
            continue
        if s not in readable:
            continue
        data, ancdata, _, address = s.recvmsg(65536, socket.CMSG_SPACE(20))
        if address[2] == PACKET_OUTGOING:
            continue
        for level, kind, value in ancdata:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(value) >= 20:
                status, _, _, _, _, tci, tpid = struct.unpack_from("=IIIHHHH", value)
                if status & TP_STATUS_VLAN_VALID:
                    if not status & TP_STATUS_VLAN_TPID_VALID:
                        tpid = 0x8100
                    data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
        if inner_ethertype(data) in ethertypes or data[:6] in dsts:
            out.write(data.hex() + "\n")
            out.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("send")
    p.add_argument("--if", dest="interface", required=True)
    p.add_argument("--hex", action="append")
    p.add_argument("--hex-file", action="append")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--pace-us", type=int, default=0)
    p = sub.add_parser("capture")
    p.add_argument("--if", dest="interface", required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--ethertype", action="append")
    p.add_argument("--dst", action="append")
    args = parser.parse_args()
    send(args) if args.command == "send" else capture(args)


if __name__ == "__main__":
    main()
