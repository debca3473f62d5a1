/* This example plugin exports no headers; the host finds its entry symbol with dlsym. */
