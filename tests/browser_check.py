#!/usr/bin/env python3
"""Check afp's /account page (tests/browser.test.sh).

browser_check.py roles FILE...
    Write FILE.roles for each FILE: one line per role row,
    "account/role console=HREF creds=HREF" (HREF "-" when the row has no
    such link), then "user NAME" for the signed-in user, then the counts
    of elements the page must not have; "error: ..." when a row is not of
    the expected shape. (One run for all pages: python starts slowly.)
browser_check.py style FILE
    Print the base64 SHA-256 of the text of the page's one <style>.
browser_check.py png FILE
    Print "WIDTH HEIGHT COLOURS" of a PNG screenshot (8-bit RGB or RGBA,
    not interlaced): a blank page has one colour, rendered text many.
"""
import base64
import hashlib
import struct
import sys
import zlib
from html.parser import HTMLParser

# Elements that would run code, load something or send something.
ACTIVE = ("script", "iframe", "object", "embed", "form", "img", "link",
          "base", "frame", "svg", "input")


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.account = None
        self.rows = []
        self.row = None
        self.cell = None
        self.user = None
        self.in_user = False
        self.active = 0
        self.handlers = 0
        self.style = []
        self.in_style = False
        self.styles = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        if tag in ACTIVE:
            self.active += 1
        self.handlers += sum(1 for k, _ in attrs if k.startswith("on"))
        if tag == "style":
            self.in_style = True
            self.styles += 1
        elif tag == "h2":
            self.account = ""
        elif tag == "tr" and "tbody" in self.stack:
            self.row = {"cells": [], "links": []}
        elif tag == "td" and self.row is not None:
            self.cell = ""
        elif tag == "a" and self.row is not None:
            self.row["links"].append([a.get("href", ""), ""])
        elif tag == "strong" and self.user is None:
            self.in_user = True
            self.user = ""

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop() == tag:
                break
        if tag == "style":
            self.in_style = False
        elif tag == "td" and self.row is not None:
            self.row["cells"].append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append((self.account, self.row))
            self.row = None
        elif tag == "strong":
            self.in_user = False

    def handle_data(self, data):
        if self.in_style:
            self.style.append(data)
        if self.stack and self.stack[-1] == "h2" and self.account is not None:
            self.account += data
        if self.cell is not None:
            self.cell += data
        if self.row is not None and self.row["links"] and self.stack \
                and self.stack[-1] == "a":
            self.row["links"][-1][1] += data
        if self.in_user:
            self.user += data


def parse(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    return p


def roles_of(path):
    p = parse(path)
    out = []
    for account, row in p.rows:
        links = {text: href for href, text in row["links"]}
        if len(row["cells"]) != 3 or not account or \
                set(links) - {"Console", "Credentials"}:
            return ["error: unexpected row %r in account %r" % (row, account)]
        out.append("%s/%s console=%s creds=%s" % (
            account, row["cells"][0], links.get("Console", "-"),
            links.get("Credentials", "-")))
    out.append("user %s" % p.user)
    out.append("active %d handlers %d styles %d" % (p.active, p.handlers,
                                                    p.styles))
    return out


def roles(*paths):
    for path in paths:
        with open(path + ".roles", "w", encoding="utf-8") as f:
            f.write("\n".join(roles_of(path)) + "\n")


def style(path):
    p = parse(path)
    text = "".join(p.style).encode("utf-8")
    print(base64.b64encode(hashlib.sha256(text).digest()).decode())


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if hdr is None or hdr[2] != 8 or hdr[3] not in (2, 6) or hdr[6] != 0:
        sys.exit("unsupported PNG header %r" % (hdr,))
    width, height = hdr[0], hdr[1]
    bpp = 3 if hdr[3] == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(idat)
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xff
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xff
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif ftype == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 0xff
            elif ftype != 0:
                sys.exit("bad PNG filter %d" % ftype)
        colours.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp))
        prev = line
    print("%d %d %d" % (width, height, len(colours)))


if __name__ == "__main__":
    cmds = {"roles": roles, "style": style, "png": png}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds or \
            (sys.argv[1] != "roles" and len(sys.argv) != 3):
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
