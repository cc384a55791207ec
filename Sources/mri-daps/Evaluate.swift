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
                func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
                emit(pad("reconstruction", 36) + pad("method", 12) + "slices        NMSE     PSNR     SSIM")
                for r in rows {
                    emit(pad((r.file as NSString).lastPathComponent, 36) + pad(r.method ?? "-", 12)
                         + String(format: "%6d  %10.6f  %7.2f  %7.4f", r.slices, r.nmse, r.psnr, r.ssim))
                }
            }
        } catch { fail(error) }
    }
}
