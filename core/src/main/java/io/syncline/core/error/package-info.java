/** The failure vocabulary shared by capture, apply and forwarding: retriable or permanent, and why. */
package io.syncline.core.error;
