"""The composition root: wires sources → decode → track → outputs for the commands."""
