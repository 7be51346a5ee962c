// Assembly-wide settings of the runtime library.

// The owner check takes the address of an uninitialised local (ThreadIdentity.OnStack); zeroing
// it was a store on every inlined call. Nothing in this library reads a local it did not write:
// the one stackalloc buffer is filled by the OS before it is read.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
