"""PyInstaller runtime hook (``build.spec`` runs it before the app): stand-ins for the
TensorFlow extension modules that ``import tensorflow`` loads but Digit Lab never calls.

``import tensorflow`` imports the profiler's plug-in (``tf.profiler.experimental.client``,
21 MB) and the TensorFlow Lite interpreter, metrics and analyzer wrappers (they need
``libpywrap_tflite_common.so``, 12 MB) only to publish ``tf.profiler`` and ``tf.lite``.
``build.spec`` leaves those libraries out; this hook puts an empty module in ``sys.modules``
under each of their names first, so the import succeeds. Any name looked up in a stand-in is
a function that raises ``RuntimeError`` when called: using TF Lite or the remote profiler in
the executable fails loudly instead of crashing. Nothing here runs in a source checkout.
"""

import sys
import types

LEFT_OUT = (
    "tensorflow.python.profiler.internal._pywrap_profiler_plugin",
    "tensorflow.lite.python._pywrap_tensorflow_interpreter_wrapper",
    "tensorflow.lite.python._pywrap_tensorflow_lite_metrics_wrapper",
    "tensorflow.lite.python._pywrap_analyzer_wrapper",
)


class _LeftOut(types.ModuleType):
    """A module whose every public name is a function raising ``RuntimeError``."""

    __all__: list[str] = []  # TF's wrapper modules copy the names listed here: none

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)

        def left_out(*_args, **_kwargs):
            raise RuntimeError(f"{self.__name__}.{name} is not part of the Digit Lab executable")

        left_out.__name__ = left_out.__qualname__ = name
        return left_out


for _name in LEFT_OUT:
    sys.modules.setdefault(_name, _LeftOut(_name))
