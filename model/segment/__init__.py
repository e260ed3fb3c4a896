"""Reading a whole number: finding the digits of a drawing or a picture, then each digit
through the one preprocessing path (NumPy only, no Qt)."""
