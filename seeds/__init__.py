"""The seed answers bundled with svar, from which a first index is built."""
