import PACS

/// Sending DICOM studies to a PACS, as the pipeline (and the CLI, which imports only MRIPipeline)
/// names it: the network clients live in the PACS module (`DICOMSender`: C-STORE over DCMTK,
/// STOW-RS over libcurl through CurlShim; docs/dicom-conformance.md "Network").
public enum PACSDelivery {
    public typealias Destination = DICOMDestination
    public typealias Sender = DICOMSender
    public typealias Report = DICOMSendReport
    public typealias Credentials = DICOMCredentials
}
