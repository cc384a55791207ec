import ArgumentParser
import Foundation
import MRIPipeline

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a fastMRI (or ISMRMRD) file's layout, shapes, coils, header geometry, mask and acceleration.")

    @Argument(help: "fastMRI or ISMRMRD HDF5 file(s).") var files: [String]
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Also print identity fields (patient name and IDs, birth date, study UID, institution); hidden by default.")
    var showIdentity = false

    func run() throws {
        try HDF5Probe.check(files)
        for f in files {
            emit(try InfoReport.render(file: URL(fileURLWithPath: f), json: json, showIdentity: showIdentity))
        }
    }
}
