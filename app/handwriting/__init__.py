"""Teaching it your hand: the correction row, the My handwriting tab and fine-tuning."""
