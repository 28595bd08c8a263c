"""The process that runs a student's notebook code for the lab grader (tools/labs.py), inside the sandbox.

    python labs_harness.py READ_FD WRITE_FD

It knows nothing about the tests and holds no score. The grader sends it the notebook's code cells, one
at a time, then asks it to call the student's functions on test inputs; it answers with what they
returned, converted to plain data (numbers, strings, containers, arrays, tensors). Anything else (a
module, an object with its own `__eq__`) goes back as an opaque handle the grader can call but never
compare. The grader compares the data and computes the score in its own process, so nothing this
process does (patching builtins, otter or this file, forging messages) can change a score beyond
answering the questions.

Messages are an 8-byte length and a pickle. The grader's requests may carry any picklable test input;
the answers are read by the grader with an unpickler that refuses every class (see tools/labs.py).
"""
import io
import os
import pickle
import signal
import struct
import sys
import time
import traceback

SENTINEL = "\x00labs"   # marks a tagged value (array, tensor, Counter, handle) in an answer


def _read_exact(fd, n):
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class _Objects:
    """Objects handed to the grader as handles, by number."""

    def __init__(self):
        self.items = {}

    def add(self, obj):
        self.items[id(obj)] = obj
        return id(obj)


def encode(x, objects, depth=0):
    """`x` as plain data: builtin scalars and containers, tagged arrays/tensors/Counters, else a handle."""
    import collections
    import collections.abc

    if depth > 100:
        raise ValueError("data nested more than 100 deep")
    t = type(x)
    if x is None or t in (bool, int, float, str, bytes):
        return x
    if isinstance(x, complex):
        return (SENTINEL, "complex", float(x.real), float(x.imag))
    for base in (int, float, str, bytes):
        if isinstance(x, base):
            return base(x)
    np = sys.modules.get("numpy")
    torch = sys.modules.get("torch")
    if np is not None and isinstance(x, np.ndarray) and x.dtype.kind in "biufc":
        return (SENTINEL, "nd", x.dtype.str, tuple(x.shape), np.ascontiguousarray(x).tobytes())
    if np is not None and isinstance(x, np.generic) and x.dtype.kind in "biufc":
        return (SENTINEL, "np", x.dtype.str, x.tobytes())
    if torch is not None and isinstance(x, torch.Tensor) and not x.is_complex() and x.dtype != torch.bfloat16:
        a = x.detach().cpu().contiguous()
        return (SENTINEL, "pt", str(a.dtype).replace("torch.", ""), tuple(a.shape), a.numpy().tobytes())
    if isinstance(x, collections.Counter):
        return (SENTINEL, "Counter", [(encode(k, objects, depth + 1), encode(v, objects, depth + 1))
                                      for k, v in dict.items(x)])
    if isinstance(x, dict):
        return {encode(k, objects, depth + 1): encode(v, objects, depth + 1) for k, v in dict.items(x)}
    if isinstance(x, collections.abc.Mapping):  # e.g. a tokenizer's BatchEncoding
        return {encode(k, objects, depth + 1): encode(x[k], objects, depth + 1) for k in list(x.keys())}
    if isinstance(x, (list, tuple, set, frozenset)):
        items = [encode(v, objects, depth + 1) for v in x]
        kind = list if isinstance(x, list) else tuple if isinstance(x, tuple) else set if isinstance(x, set) else frozenset
        return kind(items)
    if isinstance(x, range):
        return list(x)
    return (SENTINEL, "h", objects.add(x), f"{t.__module__}.{t.__qualname__}")


class _NoGrader:
    """Stands in for otter's Notebook: the grader does not use the student's checks."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class _NoIPython:
    """`get_ipython()` in a plain interpreter: magics and shell escapes are skipped."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


_RESOLVED = {}   # dotted name -> (object, owner, attribute), looked up once (before anything is disabled)


def _resolve(dotted):
    """The object a dotted name ("torch.nn.LSTMCell.forward") names, with its owner and attribute,
    importing the longest importable module prefix; (None, None, None) if it does not exist."""
    if dotted not in _RESOLVED:
        _RESOLVED[dotted] = _lookup(dotted)
    return _RESOLVED[dotted]


def _lookup(dotted):
    import importlib

    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:i]))
        except Exception:  # not a module (or not installed): try a shorter prefix
            continue
        if i == len(parts):
            return owner, None, None
        try:
            for part in parts[i:-1]:
                owner = getattr(owner, part)
            return getattr(owner, parts[-1]), owner, parts[-1]
        except AttributeError:
            return None, None, None
    return None, None, None


def _nothing():
    import contextlib

    return contextlib.nullcontext()


_RAISING = {}   # dotted name -> the code object of a body that raises its message


class _Disabled:
    """While a hidden test calls the student's code: the library functions that the question asks the
    student to write raise instead of running ("forbid:" in the master's question config).

    A plain Python function (a method such as `nn.LSTMCell.forward` too) gets a body that raises, so
    every alias of it (a default argument, a dict, a subclass, an instance made earlier) is caught; a
    compiled function is replaced on its module and on every top-level name of the notebook bound to
    it (`from torch.nn.functional import scaled_dot_product_attention as sdpa`). A function the
    notebook itself defined is never touched (a notebook that assigned its own function to a library
    name). Everything is put back when the call returns, also when patching failed half way."""

    def __init__(self, names, ns):
        self.names, self.ns, self.undo, self.off = names, ns, [], {}

    def __enter__(self):
        try:
            self._disable()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _disable(self):
        import types

        found = [(dotted, *_resolve(dotted)) for dotted in self.names]      # every look-up before any patch
        for dotted, obj, owner, attr in found:
            if obj is None or owner is None:
                continue
            target = getattr(obj, "__func__", obj)
            if getattr(target, "__globals__", None) is self.ns:
                continue                                  # the student's own function under a library name
            message = (f"this question asks you to write it yourself, but your code called {dotted}, "
                       f"which is disabled while the hidden tests run")
            if isinstance(target, types.FunctionType) and not target.__code__.co_freevars:
                if dotted not in _RAISING:
                    box = {}
                    exec(f"def _off(*args, **kwargs):\n    raise RuntimeError({message!r})", box)
                    _RAISING[dotted] = box["_off"].__code__
                self.undo.append(("code", target, target.__code__))
                target.__code__ = _RAISING[dotted]
                continue

            def off(*args, _message=message, **kwargs):
                raise RuntimeError(_message)

            own = attr in getattr(owner, "__dict__", {}) or not isinstance(owner, type)
            try:
                setattr(owner, attr, off)
            except (AttributeError, TypeError):           # an immutable (compiled) type: left alone
                continue
            self.undo.append(("attr", owner, attr, obj if own else None))
            self.off[id(off)] = obj
            for name, value in list(self.ns.items()):
                if value is obj:
                    self.ns[name] = off

    def __exit__(self, *exc):
        for entry in reversed(self.undo):
            if entry[0] == "code":
                entry[1].__code__ = entry[2]
            elif entry[3] is None:
                delattr(entry[1], entry[2])               # it was inherited: the subclass gets it back
            else:
                setattr(entry[1], entry[2], entry[3])
        for name, value in list(self.ns.items()):        # every name bound to a stand-in, before or during the call
            if id(value) in self.off:
                self.ns[name] = self.off[id(value)]
        self.undo.clear()
        self.off.clear()
        return False


def _source(cell):
    """A cell's code as plain Python (IPython magics turned into calls of the stub above)."""
    try:
        compile(cell, "<cell>", "exec")
        return cell
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(cell)


def main():
    rfd, wfd = int(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # past the output limit, writes fail instead of killing us
    sys.stdin = io.StringIO("")
    objects = _Objects()
    ns = {"__name__": "__main__", "__builtins__": __builtins__, "get_ipython": lambda: _NoIPython(),
          "display": print, "_NoGrader": _NoGrader}

    def send(message):
        data = pickle.dumps(message, protocol=5)
        os.write(wfd, struct.pack("<Q", len(data)))
        view = memoryview(data)
        while view:
            view = view[os.write(wfd, view[: 1 << 20]):]

    cache = {}   # large arguments the grader sent before, by the hash of their pickle

    def recv():
        size = struct.unpack("<Q", _read_exact(rfd, 8))[0]
        blobs, body = pickle.loads(_read_exact(rfd, size))

        class Loader(pickle.Unpickler):
            def persistent_load(self, ref):
                kind, key = ref
                return {"h": objects.items, "c": cache}.get(kind, ns)[key]

        for key, blob in blobs.items():
            cache[key] = Loader(io.BytesIO(blob)).load()
        return Loader(io.BytesIO(body)).load()

    def resolve(ref):
        kind, key = ref
        if kind == "n":
            if key not in ns:
                raise NameError(f"{key} is not defined in your notebook")
            return ns[key]
        return objects.items[key]

    def error(e):
        name = type(e).__name__
        return ("raise", name, f"{name}: {str(e)[:300]}".rstrip(": "))

    send(("ready", os.getpid()))
    while True:
        request = recv()
        op = request[0]
        try:
            if op == "cell":
                start = time.process_time()
                try:
                    exec(compile(_source(request[1]), f"<cell {request[2]}>", "exec"), ns)
                    send(("ok", time.process_time() - start))
                except BaseException as e:  # a cell's error (SystemExit too) costs only that cell
                    tb = traceback.extract_tb(e.__traceback__)
                    line = next((f.lineno for f in reversed(tb) if f.filename.startswith("<cell")), None)
                    send(("error", f"{type(e).__name__}: {str(e)[:200]}" + (f" (line {line})" if line else "")))
                continue
            if op == "bye":
                return
            target = resolve(request[1])
            if op not in ("call", "getattr"):
                raise ValueError(f"unknown request {op!r}")
            torch = sys.modules.get("torch")
            forbid = (request[5:6] if op == "call" else request[3:4]) or [()]   # (an older grader sends none)
            forbid = forbid[0]
            grad = request[4] if op == "call" else False
            # the student's code runs here: the call, a property, and converting what they return
            with _Disabled(forbid, ns), (torch.set_grad_enabled(grad) if torch is not None else _nothing()):
                value = target(*request[2], **request[3]) if op == "call" else getattr(target, request[2])
                value = encode(value, objects)
            send(("value", value))
        except BaseException as e:  # the student's function raised: the grader reports it
            send(error(e))


if __name__ == "__main__":
    main()
