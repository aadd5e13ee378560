# tests for the engine area
