"""Any file as a greyscale picture, and made-up binary families for the worked example."""
