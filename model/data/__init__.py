"""Data in and out: MNIST, the bundled files, pictures, your own classes and samples."""
