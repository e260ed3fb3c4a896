"""Looking inside: saliency, filters, receptive fields, activation mosaics, errors at scale."""
