/* The plugin ABI is a header-only target; this file gives SwiftPM a source to compile. */
