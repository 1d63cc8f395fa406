"""Whoosh modules svar never uses, loaded only if something calls into them.

``whoosh.query`` imports English morphology (``whoosh.lang.morph_en``, for its Variations query)
when it is imported: a module of large regular expressions that took a tenth of a cold `svar
search`'s imports (14 ms) and that no Swedish search calls. Until something does, the module is a
stand-in whose functions import the real one and hand the call over, so Variations still works.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types

# Module → the names other modules import from it by name (they keep the stand-in's function).
DEFERRED = {"whoosh.lang.morph_en": ("variations",)}

_lock = threading.Lock()


def install() -> None:
    """Put a stand-in for each deferred module that is not imported yet. Nothing is looked up, so
    importing svar.index imports no Whoosh; a Whoosh without the module never asks for it, and a
    call to a stand-in of a module that does not exist raises the ImportError the import would."""
    for name, functions in DEFERRED.items():
        if name not in sys.modules:
            sys.modules[name] = _stand_in(name, functions)


def _stand_in(name: str, functions: tuple[str, ...]) -> types.ModuleType:
    stand_in = types.ModuleType(name, f"Stands in for {name} until it is used (see svar.index.deferred).")

    def real() -> types.ModuleType:
        with _lock:
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            return importlib.import_module(name)

    def forwarding(function: str):
        def call(*args, **kwargs):
            return getattr(real(), function)(*args, **kwargs)

        call.__name__ = call.__qualname__ = function
        return call

    for function in functions:
        setattr(stand_in, function, forwarding(function))

    def other(attribute: str):  # any other name (PEP 562), but not the import system's questions
        if attribute.startswith("__"):  # e.g. `from … import` asks for __path__: not a package
            raise AttributeError(attribute)
        return getattr(real(), attribute)

    stand_in.__getattr__ = other
    return stand_in
