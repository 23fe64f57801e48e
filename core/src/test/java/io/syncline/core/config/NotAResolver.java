package io.syncline.core.config;

/** A class on the class path that does not implement the SPI. */
public class NotAResolver {}
