import Foundation

#if FUZZING
    /// The fuzz target this libFuzzer binary runs, from `MRI_DAPS_FUZZ_TARGET` (scripts/fuzz.sh
    /// sets it; `fuzzMain` sets it from a leading target name). Read once.
    let activeTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["MRI_DAPS_FUZZ_TARGET"] ?? ""
        guard let t = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("MRI_DAPS_FUZZ_TARGET must be one of: \(names) (got '\(name)')\n".utf8))
            exit(2)
        }
        return t
    }()

    /// libFuzzer's per-input callback: one input through the active target. Errors are
    /// expected answers; traps are what the fuzzer reports.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
        let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
        _ = activeTarget.run(data)
        return 0
    }

    /// libFuzzer's driver (compiler-rt FuzzerInterface/FuzzerDriver), called with the command line.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    /// The executable's entry point: SwiftPM links executables with `main` = `<module>_main`
    /// (`--defsym`), which (with lld) takes precedence over libFuzzer's own `main`. A first
    /// argument naming a target (`mri-daps-fuzz-bin dicom -runs=100 CORPUS`) becomes
    /// `MRI_DAPS_FUZZ_TARGET` (so libFuzzer's -fork/-jobs children inherit it) and is removed;
    /// the rest is libFuzzer's command line.
    @_cdecl("mri_daps_fuzz_main")
    public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
        var count = argc
        var args = argv
        if count > 1, let a = argv[1], FuzzTarget(rawValue: String(cString: a)) != nil {
            setenv("MRI_DAPS_FUZZ_TARGET", a, 1)
            argv[1] = argv[0]
            args = argv + 1
            count -= 1
        }
        _ = activeTarget
        return LLVMFuzzerRunDriver(&count, &args, fuzzTestOneInput)
    }
#else
    /// The corpus replayer (normal build): `mri-daps-fuzz TARGET FILE|DIR...` runs every file
    /// (folders: their files, recursively) through the target and prints one line per file,
    /// "ok" or the library's one-line error. Exit 0 unless an input traps (the trap itself ends
    /// the process), 2 for usage errors. `mri-daps-fuzz seeds DIR` writes the generated seeds.
    @main
    struct FuzzReplayer {
        static func main() {
            var args = Array(CommandLine.arguments.dropFirst())
            let quiet = args.first == "--quiet"
            if quiet { args.removeFirst() }
            guard let name = args.first, args.count >= 2 else { usage() }
            if name == "seeds" {
                do { try SeedCorpus.write(to: URL(fileURLWithPath: args[1])) } catch {
                    FileHandle.standardError.write(Data("seeds: \(error)\n".utf8))
                    exit(1)
                }
                return
            }
            guard let target = FuzzTarget(rawValue: name) else { usage() }
            var files = 0, rejected = 0
            for path in args.dropFirst() {
                for file in inputs(path) {
                    guard let data = FileManager.default.contents(atPath: file.path) else {
                        FileHandle.standardError.write(Data("\(file.path): cannot be read\n".utf8))
                        exit(2)
                    }
                    let error = target.run(data)
                    files += 1
                    if error != nil { rejected += 1 }
                    if !quiet { print("\(file.lastPathComponent): \(error.map { "\($0)" } ?? "ok")") }
                }
            }
            ScratchFile.remove()
            print("\(target.rawValue): \(files) inputs, \(files - rejected) accepted, \(rejected) rejected with an error, none trapped")
        }

        /// The files under `path` (itself when it is a file), sorted.
        static func inputs(_ path: String) -> [URL] {
            var isDirectory: ObjCBool = false
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [url] }
            let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])
            var files = [URL]()
            while let f = e?.nextObject() as? URL {
                if (try? f.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true { files.append(f) }
            }
            return files.sorted { $0.path < $1.path }
        }

        static func usage() -> Never {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: mri-daps-fuzz [--quiet] \(names) FILE|DIR...\n       mri-daps-fuzz seeds DIR\n".utf8))
            exit(2)
        }
    }
#endif
