"""Every size limit a loader checks before it reads, decompresses or allocates, in one place.

A hostile or broken file must not take the machine: each loader checks these from headers
and declared sizes first (see the README, "What it refuses, and its limits", for why each
value). The command line's ranges for training arguments live here too, so the Train tab
and ``digitlab train`` refuse the same values. Qt-free, no imports.
"""

from __future__ import annotations

# ------------------------------------------------------------------ pictures
MAX_IMAGE_FILE_BYTES = 100_000_000
"""A picture file larger than this is not opened (a phone photo is a few MB)."""
MAX_IMAGE_PIXELS = 40_000_000
"""Width x height declared in a picture's header, checked before decoding (40 MP: a large
phone photo; decoded as RGBA it is 160 MB)."""
MAX_IMAGE_ASPECT = 1_000
"""A picture much longer than wide (or the reverse) cannot be a drawing and makes the
resampling matrices huge (a 40,000,000 x 1 PNG wanted 18 GB)."""

# ------------------------------------------------------------------ .keras model files
MAX_MODEL_FILE_BYTES = 200_000_000
"""A ``.keras`` archive larger than this is refused unread (ours are 0.4 and 2.7 MB)."""
MAX_MODEL_MEMBERS = 16
"""Files inside a ``.keras`` archive (Keras writes three)."""
MAX_MODEL_MEMBER_BYTES = 200_000_000
"""Declared and actual uncompressed size of one archive member."""
MAX_MODEL_CONFIG_BYTES = 2_000_000
"""``config.json`` and ``metadata.json`` (ours are 7 kB)."""
MAX_MODEL_RATIO = 100
"""Uncompressed / compressed size of one member (weights barely compress; a bomb is 1000x)."""
MAX_MODEL_PARAMETERS = 20_000_000
"""Parameters a model's config may declare before any weight is made (ours: 225,034)."""
MAX_WEIGHT_ARRAY_BYTES = 100_000_000
"""One weight array as declared in ``model.weights.h5`` (shape x item size)."""

# ------------------------------------------------------------------ arrays (.npz / .npy)
MAX_NPZ_MEMBERS = 64
"""Arrays in one ``.npz`` (MNIST has four)."""
MAX_ARRAY_BYTES = 400_000_000
"""One array as declared in its ``.npy`` header (shape x item size): MNIST's training images
are 47 MB; 400 MB is 500,000 28x28 pictures."""
MAX_ARRAYS_TOTAL_BYTES = 600_000_000
"""All the arrays of one ``.npz`` together, as declared."""

# ------------------------------------------------------------------ strokes and JSON lines
MAX_LINE_CHARS = 2_000_000
"""One JSON line (a sample, a ``--strokes`` line); a digit's line is a few kB."""
MAX_STROKE_POINTS = 20_000
"""Points in one drawing, all strokes together (a human digit has a few hundred)."""
MAX_STROKES_FILE_BYTES = 1_000_000_000
"""A ``--strokes`` file read line by line; larger is refused before reading."""

# ------------------------------------------------------------------ small JSON files
MAX_SETTINGS_BYTES = 1_000_000
"""``training_settings.json`` and other settings (a few hundred bytes)."""
MAX_METRICS_BYTES = 5_000_000
"""A ``metrics.json`` (ours are a few kB)."""
MAX_JSON_DEPTH = 32
"""Nesting of a settings or metrics document (ours: 4)."""

# ------------------------------------------------------------------ folders
MAX_FOLDER_FILES = 200_000
"""Pictures listed from one data folder."""

# ------------------------------------------------------------------ training arguments
SEED_RANGE = (0, 2**32 - 1)
EPOCHS_RANGE = (1, 1_000)
BATCH_SIZE_RANGE = (1, 8_192)
AUGMENTED_COPIES_RANGE = (1, 10)
"""Each copy is a distorted MNIST in memory (47 MB): 10 is 0.5 GB."""
MAX_LEARNING_RATE = 1.0
"""Adam's rate must be above 0 and at most this."""
