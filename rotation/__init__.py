"""The secret-rotation Lambda: a guard, one function per rotation step, one module per strategy."""
