"""The judge's worker: runs one student's code in a sandbox and answers the judge's requests.

Started by ``judge.py`` as ``python judge_worker.py --memory-mb M`` inside bubblewrap (see
``sandbox.py``), one fresh process per submission. It speaks a small protocol on its original
standard input and output: 8-byte length, then a JSON message. The student's prints go to
``/dev/null``. Requests:

- ``{"op": "exec", "source": ...}``: run a cell of the notebook (the student's solution cells and
  the locked cells they need) in the notebook's namespace; answer ``done`` with the error, if any;
- ``{"op": "get", "names": [...]}``: the values of names, encoded (functions as handles);
- ``{"op": "forbid", "forbidden": {grade_id: [qualified names]}}``: before any cell, make the
  course's own implementation of each exercise raise ``Delegation`` when that solution cell's
  code calls it (:func:`install_tripwires`);
- ``{"op": "call", "fn": handle, "args": ..., "kwargs": ...}``: call a student's function;
  answer ``return`` or ``raise``. While it runs, the worker may ask the judge to evaluate a
  callable the judge passed in (``callback``), for example the ``matvec`` of a CG check.

Values cross the boundary as data only (numbers, strings, lists, tuples, dicts, numeric numpy
arrays and scalars; functions as handles): :func:`encode` and :func:`decode` are shared with the
judge, which never unpickles or evaluates anything the worker sends. Lists of plain floats (nested,
rectangular) and of numpy scalars of one type travel packed, as the bytes of their values (an
answer given as a list of 10^5 floats: ``benchmarks/judge_wire.py``). Whatever the student's code
does in this process (replace ``course_utils.checks``, numpy's ``allclose``, this module's
functions) changes only values it sends back; the judge compares them with its own copies.
"""

from __future__ import annotations

import base64
import builtins
import json
import math
import os
import struct
import sys

MAX_MESSAGE = 512 * 1024 * 1024  # bytes: larger answers are refused (a student's value, or noise)
MAX_DEPTH = 40
_HEADER = struct.Struct("!Q")


class ProtocolError(RuntimeError):
    """A malformed, oversized or unexpected message."""


# --- values as data ------------------------------------------------------------------------


def encode(value, callable_ref, depth: int = 0):
    """``value`` as JSON-compatible data; ``callable_ref(fn)`` encodes a callable."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) < 2**63 else {"__bigint__": str(value)}
    if isinstance(value, float):
        return {"__float__": value.hex()}
    if isinstance(value, complex):
        return {"__complex__": [value.real.hex(), value.imag.hex()]}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc" and value.dtype.fields is None:
        data = np.ascontiguousarray(value)
        return {
            "__nd__": data.dtype.str,
            "shape": list(value.shape),  # ascontiguousarray makes 0-d arrays 1-d
            "data": base64.b64encode(data.tobytes()).decode("ascii"),
        }
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return {"__np__": value.dtype.str, "data": base64.b64encode(value.tobytes()).decode()}
    if isinstance(value, list):
        shape = _float_nest_shape(value)
        if shape is not None:
            # a (nested) list of plain floats, a student's answer as lists: packed, 8 bytes
            # each instead of a tagged value each; exact, and decoded as the same lists
            packed = np.array(value, dtype="<f8").tobytes()
            return {"__floats__": base64.b64encode(packed).decode("ascii"), "shape": shape}
        kind = type(value[0]) if value else None
        if len(value) > 1 and issubclass(kind, np.generic) and value[0].dtype.kind in "biufc":
            if all(type(v) is kind for v in value):  # numpy scalars of one type, as a list
                packed = np.array(value, dtype=value[0].dtype)
                data = base64.b64encode(packed.tobytes()).decode("ascii")
                return {"__scalars__": packed.dtype.str, "data": data}
        return [encode(v, callable_ref, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, callable_ref, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {
            "__dict__": [
                [encode(k, callable_ref, depth + 1), encode(v, callable_ref, depth + 1)]
                for k, v in value.items()
            ]
        }
    if callable(value) and not isinstance(value, type):
        return callable_ref(value)
    return {"__unsupported__": type(value).__name__}


def _float_nest_shape(value: list) -> list[int] | None:
    """The shape of a rectangular nest of lists (at most 4 deep) of plain Python floats, or
    None (anything else: ints, numpy scalars, tuples, ragged lists are encoded one by one)."""
    shape, level = [], value
    while type(level) is list and level and len(shape) < 5:
        shape.append(len(level))
        level = level[0]
    if type(level) is not float or len(shape) > 4 or math.prod(shape) < 2:
        return None
    leaves = value
    for n in shape[1:]:
        if not all(type(row) is list and len(row) == n for row in leaves):
            return None
        leaves = [x for row in leaves for x in row]
    return shape if all(type(x) is float for x in leaves) else None


def _shape(data) -> tuple[int, ...]:
    if not isinstance(data, list) or len(data) > 32:
        raise ProtocolError(f"bad shape {data!r}"[:100])
    shape = tuple(int(n) for n in data)
    if any(n < 0 for n in shape) or math.prod(shape) > MAX_MESSAGE:
        raise ProtocolError(f"bad shape {shape}"[:100])
    return shape


def _dtype(text):
    import numpy as np

    if not isinstance(text, str) or len(text) > 8:
        raise ProtocolError(f"bad dtype {text!r}")
    dtype = np.dtype(text)
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.itemsize > 16:
        raise ProtocolError(f"refused dtype {text!r}")
    return dtype


def decode(data, callable_from, depth: int = 0):
    """The value :func:`encode` encoded; ``callable_from(tag, ident)`` rebuilds a callable."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if data is None or isinstance(data, (bool, str, int)):
        return data
    if isinstance(data, float):  # not produced by encode, harmless
        return data
    if isinstance(data, list):
        return [decode(v, callable_from, depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) == 0:
        raise ProtocolError(f"unexpected {type(data).__name__}")
    if "__float__" in data:
        return float.fromhex(data["__float__"])
    if "__bigint__" in data:
        return int(str(data["__bigint__"])[:5000])
    if "__complex__" in data:
        re, im = data["__complex__"]
        return complex(float.fromhex(re), float.fromhex(im))
    if "__nd__" in data:
        dtype = _dtype(data["__nd__"])
        shape = _shape(data["shape"])
        raw = base64.b64decode(data["data"], validate=True)
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if "__np__" in data:
        dtype = _dtype(data["__np__"])
        raw = base64.b64decode(data["data"], validate=True)
        if len(raw) != dtype.itemsize:
            raise ProtocolError("bad scalar")
        return np.frombuffer(raw, dtype=dtype)[0]
    if "__floats__" in data:
        raw = base64.b64decode(data["__floats__"], validate=True)
        shape = _shape(data.get("shape"))
        if len(raw) != 8 * math.prod(shape) or not shape:
            raise ProtocolError("bad list of floats")
        return np.frombuffer(raw, dtype="<f8").reshape(shape).tolist()
    if "__scalars__" in data:
        dtype = _dtype(data["__scalars__"])
        raw = base64.b64decode(data["data"], validate=True)
        if len(raw) % dtype.itemsize:
            raise ProtocolError("bad list of scalars")
        return list(np.frombuffer(raw, dtype=dtype))
    if "__tuple__" in data:
        return tuple(decode(v, callable_from, depth + 1) for v in data["__tuple__"])
    if "__dict__" in data:
        out = {}
        for key, value in data["__dict__"]:
            key = decode(key, callable_from, depth + 1)
            try:
                hash(key)
            except TypeError:
                raise ProtocolError("unhashable dict key") from None
            out[key] = decode(value, callable_from, depth + 1)
        return out
    for tag in ("__callable__", "__callback__"):
        if tag in data:
            return callable_from(tag, int(data[tag]))
    if "__unsupported__" in data:
        return Unsupported(str(data["__unsupported__"])[:100])
    raise ProtocolError(f"unknown value {sorted(data)[:3]}")


class Unsupported:
    """Stands for a value that cannot cross the boundary (a module, a class instance, ...)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object (not transferable from the sandbox)>"


def error_class(name: str) -> type:
    """The built-in exception class of that name, else an ``Exception`` subclass named so."""
    name = str(name)[:100]
    found = getattr(builtins, name, None)
    if isinstance(found, type) and issubclass(found, Exception):
        return found
    if not name.isidentifier():
        name = "StudentError"
    return type(name, (Exception,), {})


def send(stream, message: dict) -> None:
    payload = json.dumps(message, allow_nan=False).encode()
    if len(payload) > MAX_MESSAGE:
        raise ProtocolError(f"message of {len(payload)} bytes is too large")
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_exact(stream, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv(stream) -> dict:
    (size,) = _HEADER.unpack(read_exact(stream, _HEADER.size))
    if size > MAX_MESSAGE:
        raise ProtocolError(f"message of {size} bytes is too large")
    message = json.loads(read_exact(stream, size))
    if not isinstance(message, dict) or not isinstance(message.get("op"), str):
        raise ProtocolError("a message is a dict with an 'op'")
    return message


def strip_magics(source: str) -> str:
    """A cell's code without IPython's line magics and shell escapes (``%matplotlib inline``)."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


# --- delegation: the course's own implementations are off limits to the exercise's code --------


class Delegation(Exception):
    """A solution called the course's own implementation of its exercise."""


def install_tripwires(forbidden: dict) -> None:
    """Make the course functions in ``forbidden`` (solution grade_id -> qualified names) raise
    :class:`Delegation` when called by that solution cell's code (a frame compiled from it is on
    the stack and the direct caller is notebook code, not the course's own modules)."""
    import importlib

    cells_of: dict = {}
    for grade_id, names in forbidden.items():
        for qualname in names:
            cells_of.setdefault(str(qualname), set()).add(f"<{grade_id}>")
    for qualname, cells in cells_of.items():
        parts = qualname.split(".")
        owner = None
        for cut in range(len(parts) - 1, 0, -1):
            try:
                owner = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for name in parts[cut:-1]:
                owner = getattr(owner, name)
            break
        if owner is None:
            continue
        original = getattr(owner, parts[-1])
        wire = _tripwire(original, qualname, frozenset(cells))
        if isinstance(owner, type):
            setattr(owner, parts[-1], wire)
        for module_name, module in list(sys.modules.items()):
            if module_name.split(".")[0] == "course_utils":
                for key, value in list(vars(module).items()):
                    if value is original:
                        setattr(module, key, wire)


def _tripwire(original, qualname: str, cells: frozenset):
    def wire(*args, **kwargs):
        caller = sys._getframe(1)
        if caller.f_code.co_filename.startswith("<"):  # notebook code, not the course's
            frame = caller
            while frame is not None:
                if frame.f_code.co_filename in cells:
                    raise Delegation(f"{qualname}: the course's own implementation of the exercise")
                frame = frame.f_back
        return original(*args, **kwargs)

    wire.__wrapped__ = original
    return wire


# --- the worker ------------------------------------------------------------------------------


class _Worker:
    def __init__(self, proto_in, proto_out):
        self.proto_in, self.proto_out = proto_in, proto_out
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.handles: list = []

    def _ref(self, fn):
        self.handles.append(fn)
        return {"__callable__": len(self.handles) - 1}

    def _callable_from(self, tag, ident):
        if tag == "__callable__":
            if not 0 <= ident < len(self.handles):
                raise ProtocolError("unknown handle")
            return self.handles[ident]

        def callback(*args, **kwargs):  # a callable of the judge (the matvec of a CG check)
            send(
                self.proto_out,
                {
                    "op": "callback",
                    "id": ident,
                    "args": encode(list(args), self._ref),
                    "kwargs": encode(dict(kwargs), self._ref),
                },
            )
            reply = self.serve(until_reply=True)
            if reply["op"] == "raise":
                raise error_class(reply["error"][0])(reply["error"][1])
            return decode(reply["value"], self._callable_from)

        return callback

    def _outcome(self, fn, *args, **kwargs) -> dict:
        try:
            value = fn(*args, **kwargs)
            return {"op": "return", "value": encode(value, self._ref)}
        except BaseException as err:  # the student's error (or exit) is reported, not fatal
            return {"op": "raise", "error": [type(err).__name__, str(err)[:4000]]}

    def serve(self, until_reply: bool = False) -> dict | None:
        while True:
            message = recv(self.proto_in)
            op = message["op"]
            if op in ("return", "raise") and until_reply:
                return message
            if op == "exec":
                code = compile(strip_magics(message["source"]), f"<{message.get('cell')}>", "exec")
                answer = self._outcome(exec, code, self.namespace)
                answer["op"] = "done"
                answer.pop("value", None)
            elif op == "get":
                values = {}
                for name in message["names"]:
                    if name in self.namespace:
                        try:
                            values[name] = encode(self.namespace[name], self._ref)
                        except BaseException as err:
                            values[name] = {"__unsupported__": type(err).__name__}
                answer = {"op": "values", "values": values}
            elif op == "call":
                fn = self._callable_from("__callable__", int(message["fn"]))
                args = decode(message["args"], self._callable_from)
                kwargs = decode(message["kwargs"], self._callable_from)
                answer = self._outcome(fn, *args, **kwargs)
            elif op == "forbid":
                install_tripwires(dict(message["forbidden"]))
                answer = {"op": "done"}
            elif op == "exit":
                return None
            else:
                raise ProtocolError(f"unknown op {op!r}")
            try:
                send(self.proto_out, answer)
            except (ProtocolError, ValueError, TypeError, MemoryError) as err:
                send(self.proto_out, {"op": "raise", "error": [type(err).__name__, str(err)]})


def main(argv: list[str]) -> int:
    memory_mb = int(argv[argv.index("--memory-mb") + 1]) if "--memory-mb" in argv else 0
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the student's input(), prints and warnings never touch the protocol
        os.dup2(null, fd)
    os.environ["MPLBACKEND"] = "Agg"
    if memory_mb > 0 and sys.platform.startswith("linux"):
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import numpy  # noqa: F401  (imported before the student's code, as in the kernel)

    send(proto_out, {"op": "ready"})
    _Worker(proto_in, proto_out).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
