import ArgumentParser
import Foundation
import MRIPipeline

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score reconstructions against a fully sampled file with fastMRI's NMSE, PSNR and SSIM.")

    @Option(help: "Fully sampled fastMRI file holding reconstruction_rss / reconstruction_esc.") var target: String
    @Argument(help: "Reconstruction files (dataset 'reconstruction').") var reconstructions: [String]
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        do {
            let rows = try Evaluation.evaluate(target: URL(fileURLWithPath: target),
                                               reconstructions: reconstructions.map { URL(fileURLWithPath: $0) })
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                emit(String(decoding: try enc.encode(rows), as: UTF8.self))
            } else {
                emit(String(format: "%-40@ %-12@ %6@ %10@ %8@ %7@", "reconstruction" as NSString, "method" as NSString,
                            "slices" as NSString, "NMSE" as NSString, "PSNR" as NSString, "SSIM" as NSString))
                for r in rows {
                    emit(String(format: "%-40@ %-12@ %6d %10.5f %8.2f %7.4f", (r.file as NSString).lastPathComponent as NSString,
                                (r.method ?? "-") as NSString, r.slices, r.nmse, r.psnr, r.ssim))
                }
            }
        } catch { fail(error) }
    }
}
