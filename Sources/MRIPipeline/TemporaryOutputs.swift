import MRIIO

/// The temporary outputs and new folders of this process (MRIIO's registry), for the command's
/// signal handler and failure path, which remove them before exiting.
public typealias TemporaryOutputs = MRIIO.TemporaryOutputs
