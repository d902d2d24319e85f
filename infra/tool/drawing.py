"""A plan's picture (``infra/tool/diagram.py``) as Graphviz DOT source, and rendered with provider icons.

The DOT source is deterministic — boundaries, nodes and edges sorted, node ids the role keys, icons
named relative to the diagrams package's ``resources`` folder — so ``docs/<stack>.dot`` can be
compared with what the shipped plans draw on any machine, without Graphviz. A PNG rendered here
carries the SHA-256 of that source in a text chunk (``DIGEST_KEY``): which DOT it was drawn from.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import shutil
import struct
import subprocess
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from infra.tool.diagram import COPIES, PROTECTS, Picture, picture
from infra.tool.engine.plan import Plan

FORMATS = ("png", "svg", "dot")
USERS_ICON = "diagrams.onprem.client:Users"
FONT = {"fontname": "Sans-Serif", "fontcolor": "#2D3436"}
GRAPH = {**FONT, "fontsize": "20", "pad": "0.4", "splines": "spline", "nodesep": "0.60", "ranksep": "0.9",
         "rankdir": "LR", "newrank": "true"}  # fmt: skip
NODE = {**FONT, "fontsize": "13", "shape": "plain"}
ICON_SIZE = 100
"""Points: each node is its icon over its label, one HTML table, as wide as the longer of the two
(a label never runs over a neighbour)."""
EDGE = {**FONT, "fontsize": "12", "color": "#7B8894"}
CLUSTER = {**FONT, "fontsize": "12", "style": "rounded", "labeljust": "l", "pencolor": "#AEB6BE"}
BACKGROUNDS = ("#E5F5FD", "#EBF3E7")
"""A boundary's fill, by depth (the VPC's subnets sit inside the VPC)."""
EDGE_KINDS = {
    PROTECTS: {
        "style": "dashed",
        "color": "#C7A500",
        "labelfontcolor": "#8A7300",
        "headlabel": "encrypted",
        "labeldistance": "3.2",
        "labelangle": "-25",
    },
    COPIES: {"style": "dashed", "label": "copies"},
}
"""How the edges that are not traffic or data are drawn."""
DIGEST_KEY = "nowry-dot-sha256"
"""The PNG text chunk holding the SHA-256 of the DOT source the picture was rendered from."""

COMMENT = (
    "drawn from the stack's plan by `nowry-infra diagram`, which renders it; icons are relative to the "
    "diagrams package's resources folder (dot -Gimagepath=FOLDER)"
)

GRAPHVIZ_INSTALL = "Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz"


class GraphvizMissing(Exception):
    """A picture format that needs Graphviz's ``dot`` program, on a machine without it."""

    def __init__(self, fmt: str) -> None:
        super().__init__(
            f"drawing .{fmt} needs Graphviz's `dot` program, which is not on the PATH "
            f"({GRAPHVIZ_INSTALL}); --out with .dot writes the DOT source without it"
        )


class RenderFailed(Exception):
    """Graphviz's ``dot`` refused the source, or warned where no warning is allowed."""


def check_graphviz(fmt: str) -> None:
    """Raise ``GraphvizMissing`` when ``fmt`` needs ``dot`` and it is not installed."""
    if fmt != "dot" and shutil.which("dot") is None:  # every format but the DOT source runs dot
        raise GraphvizMissing(fmt)


def dot_source(plan: Plan) -> str:
    """The picture as Graphviz DOT source, the same on every machine (no Graphviz needed)."""
    return _dot(plan, picture(plan), icons="")


def digest(source: str) -> str:
    """The SHA-256 of DOT source, as stamped into a PNG rendered from it."""
    return hashlib.sha256(source.encode()).hexdigest()


def draw(plan: Plan, out: Path) -> Path:
    """Render the plan's picture to ``out`` (.png, .svg or .dot), written whole; returns it."""
    from infra.tool.output_files import write_file

    fmt = out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"--out must end in {', '.join('.' + f for f in FORMATS)}, not {out.suffix or 'nothing'}")
    check_graphviz(fmt)
    pic = picture(plan)
    source = _dot(plan, pic, icons="")
    if fmt == "dot":
        return write_file(out, source.encode())
    if fmt == "png":
        data, _ = render(source, fmt)
        return write_file(out, stamp(data, digest(source)))
    data, _ = render(_dot(plan, pic, icons=f"{icons_folder()}/"), fmt)  # an SVG links its icons: by full path
    return write_file(out, data)


def png_from(source: str) -> bytes:
    """The PNG Graphviz renders from DOT ``source``, stamped with the source's digest; a warning
    (an icon not found, ...) is an error here: the pictures in ``docs/`` are drawn clean."""
    data, warnings = render(source, "png")
    if warnings:
        raise RenderFailed(f"Graphviz's dot warned: {warnings}")
    return stamp(data, digest(source))


def render(source: str, fmt: str) -> tuple[bytes, str]:
    """Graphviz's ``dot`` run on DOT ``source`` (as ``dot_source`` writes it, icons found in the
    diagrams package): the picture, and the warnings dot printed (an icon not found, ...)."""
    check_graphviz(fmt)
    command = ["dot", f"-T{fmt}", f"-Gimagepath={icons_folder()}"]
    done = subprocess.run(command, input=source.encode(), capture_output=True, check=False)
    warnings = done.stderr.decode(errors="replace").strip()
    if done.returncode != 0:
        raise RenderFailed(f"Graphviz's dot failed: {warnings}")
    return done.stdout, warnings


def icons_folder() -> Path:
    """The diagrams package's ``resources`` folder, where its provider icons are."""
    import diagrams

    return Path(str(diagrams.__file__)).resolve().parent.parent / "resources"


def _icon(path: str) -> str:
    """A diagrams node class (``module:Class``) -> its icon, relative to ``icons_folder()``."""
    module, name = path.split(":")
    node: Any = getattr(importlib.import_module(module), name)
    return f"{str(node._icon_dir).removeprefix('resources/')}/{node._icon}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attrs(values: dict[str, str]) -> str:
    return "[" + " ".join(f"{key}={_quote(value)}" for key, value in values.items()) + "]"


def _node(label: str, image: str) -> str:
    """A node's attributes: its icon over its label, as an HTML-like label."""
    text = html.escape(label, quote=True)
    cell = f'<TD FIXEDSIZE="TRUE" WIDTH="{ICON_SIZE}" HEIGHT="{ICON_SIZE}"><IMG SRC={_quote(image)} SCALE="TRUE"/></TD>'
    return f'[label=<<TABLE BORDER="0" CELLSPACING="2"><TR>{cell}</TR><TR><TD>{text}</TD></TR></TABLE>>]'


def _dot(plan: Plan, pic: Picture, *, icons: str) -> str:
    """DOT source of the picture; icon paths start with ``icons`` (empty: relative to the icons folder)."""
    title = f"{plan.project}/{plan.stack} — phase {plan.phase}"
    lines = [
        f"digraph {_quote(title)} {{",
        *([] if icons else [f"\t// {COMMENT}"]),
        f"\tgraph {_attrs({**GRAPH, 'label': title})}",
        f"\tnode {_attrs(NODE)}",
        f"\tedge {_attrs(EDGE)}",
        f"\t{_quote('users')} {_node('users', icons + _icon(USERS_ICON))}",
    ]
    boundaries: dict[str, list[str]] = defaultdict(list)
    for node, role in pic.nodes.items():
        boundaries[role.boundary].append(node)
    vpc = sorted(b for b in boundaries if b.startswith("VPC "))
    for boundary in sorted(b for b in boundaries if b not in vpc):
        lines += _cluster(boundary, boundaries[boundary], pic, icons, depth=1)
    if vpc:
        lines += [f"\tsubgraph {_quote('cluster_VPC')} {{", f"\t\tgraph {_attrs(_cluster_attrs('VPC', 1))}"]
        for boundary in vpc:
            lines += _cluster(boundary, boundaries[boundary], pic, icons, depth=2, label=boundary.removeprefix("VPC "))
        lines.append("\t}")
    for node in pic.entry:
        lines.append(f"\t{_quote('users')} -> {_quote(node)} {_attrs({'label': 'HTTPS'})}")
    for source, target in sorted(pic.edges):
        style = EDGE_KINDS.get(pic.kinds.get((source, target), ""), {})
        lines.append(f"\t{_quote(source)} -> {_quote(target)}" + (f" {_attrs(style)}" if style else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _cluster_attrs(label: str, depth: int) -> dict[str, str]:
    return {**CLUSTER, "label": label, "bgcolor": BACKGROUNDS[(depth - 1) % len(BACKGROUNDS)]}


def _cluster(boundary: str, nodes: list[str], pic: Picture, icons: str, *, depth: int, label: str = "") -> list[str]:
    indent = "\t" * depth
    lines = [f"{indent}subgraph {_quote('cluster_' + boundary)} {{",
             f"{indent}\tgraph {_attrs(_cluster_attrs(label or boundary, depth))}"]  # fmt: skip
    for node in sorted(nodes):
        role, count = pic.nodes[node], pic.counts.get(node, 1)
        text = role.label if count == 1 or role.key == "db" or not role.counted else f"{role.label} x{count}"
        lines.append(f"{indent}\t{_quote(node)} {_node(text, icons + _icon(role.icon))}")
    lines.append(f"{indent}}}")
    return lines


def stamp(png: bytes, value: str) -> bytes:
    """``png`` with a text chunk ``DIGEST_KEY`` = ``value`` after its header chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    header_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4
    body = b"tEXt" + DIGEST_KEY.encode("latin-1") + b"\0" + value.encode("latin-1")
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return png[:header_end] + chunk + png[header_end:]


def stamped(png: bytes) -> str | None:
    """The ``DIGEST_KEY`` text of a PNG (None: not a PNG, or no such chunk)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    offset = 8
    while offset + 8 <= len(png):
        length, name = struct.unpack(">I", png[offset : offset + 4])[0], png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        if name == b"tEXt" and data.startswith(DIGEST_KEY.encode("latin-1") + b"\0"):
            return data.split(b"\0", 1)[1].decode("latin-1")
        if name == b"IEND":
            return None
        offset += 12 + length
    return None
