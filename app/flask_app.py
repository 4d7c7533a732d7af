"""The platform's Flask class: Flask, asking once per callable whether it must be run as a coroutine.

Flask passes every hook and view it calls through ``ensure_sync``, which asks
``inspect.iscoroutinefunction`` each time: thirteen times for one answer save (its before and after
hooks, its teardowns, its view), about 2 % of the save's instructions (issue 25). The hooks and
views are registered once, so the answer is remembered per callable. A callable that cannot be
hashed is asked each time, as Flask does; the memory is bounded, should something pass a new
callable on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

REMEMBERED_CALLABLES = 4096


class PlatformFlask(Flask):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._synchronous: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._synchronous[func]
        except KeyError:
            pass
        except TypeError:  # unhashable
            return super().ensure_sync(func)
        synchronous = super().ensure_sync(func)
        if len(self._synchronous) < REMEMBERED_CALLABLES:
            self._synchronous[func] = synchronous
        return synchronous
