// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "mri-daps",
    products: [
        .executable(name: "mri-daps", targets: ["mri-daps"]),
        .executable(name: "mri-daps-fuzz", targets: ["mri-daps-fuzz"]),
        .library(name: "MRICore", targets: ["MRICore"]),
        .library(name: "MRIIO", targets: ["MRIIO"]),
        .library(name: "PACS", targets: ["PACS"]),
        .library(name: "Cluster", targets: ["Cluster"]),
        .library(name: "MRIAcquisition", targets: ["MRIAcquisition"]),
        .library(name: "MRIPipeline", targets: ["MRIPipeline"]),
        .library(name: "NeuralPrior", targets: ["NeuralPrior"]),
        .library(name: "DAPS", targets: ["DAPS"]),
        .library(name: "MRIPreview", targets: ["MRIPreview"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: C libraries (Debian packages, see README)
        .systemLibrary(
            name: "CFFTW", pkgConfig: "fftw3f",
            providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(
            name: "CHDF5", pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(
            name: "COpenBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        // DCMTK 3.6.7's dcmtk.pc requires a missing sndfile entry on bookworm: link by name.
        // C++ target; include/dcm_shim.h is plain C and no DCMTK type crosses it.
        .target(
            name: "DCMTKShim",
            linkerSettings: [
                .linkedLibrary("dcmnet"), .linkedLibrary("dcmdata"), .linkedLibrary("oflog"), .linkedLibrary("ofstd"),
                // Reading: JPEG (IJG 8/12/16) and JPEG-LS decoders (RLE is in dcmdata).
                .linkedLibrary("dcmjpeg"), .linkedLibrary("dcmjpls"), .linkedLibrary("dcmimgle"),
                .linkedLibrary("ijg8"), .linkedLibrary("ijg12"), .linkedLibrary("ijg16"),
            ]),

        // One HTTP POST through libcurl for STOW-RS (C; libcurl's variadic setopt is not callable from
        // Swift, and FoundationNetworking on Linux cannot be given a CA file).
        .target(name: "CurlShim", linkerSettings: [.linkedLibrary("curl")]),

        // ISMRMRD raw data through the format's own C library (Debian libismrmrd-dev; its dataset.h
        // includes the serial HDF5 header). C; include/ismrmrd_shim.h has plain types only.
        .target(
            name: "ISMRMRDShim",
            cSettings: [.unsafeFlags(["-I/usr/include/hdf5/serial"])],
            linkerSettings: [.linkedLibrary("ismrmrd")]),

        // PNG previews through libpng (Debian libpng-dev): libpng reports errors by longjmp, so
        // the setjmp lives in this C shim; include/png_shim.h has plain types only.
        .target(name: "PNGShim", linkerSettings: [.linkedLibrary("png16")]),

        // Hand-written AVX2/FMA kernels of the neural prior, dispatched at run time (C, no dependencies).
        .target(name: "CKernels"),

        // MARK: Library modules
        .target(name: "MRICore", dependencies: ["CFFTW", "COpenBLAS", "CKernels"]),
        .target(name: "MRIIO", dependencies: ["MRICore", "CHDF5", "DCMTKShim", "ISMRMRDShim", "PNGShim"]),
        // Delivery to a PACS: DIMSE C-STORE (DCMTK) and DICOMweb STOW-RS (libcurl); IO knows no network.
        .target(name: "PACS", dependencies: ["MRIIO", "DCMTKShim", "CurlShim"]),
        // Work in other processes: Slurm's commands (sbatch, squeue, sacct, scancel) and local worker processes.
        .target(name: "Cluster"),
        .target(name: "MRIAcquisition", dependencies: ["MRICore"]),
        // Pictures for people: panels, colour maps, a bitmap font and plots, as RGB rasters (no IO).
        .target(name: "MRIPreview"),
        .target(
            name: "MRIPipeline",
            dependencies: ["MRICore", "MRIIO", "PACS", "Cluster", "MRIAcquisition", "NeuralPrior", "DAPS", "MRIPreview",
                           .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources/Priors"), .copy("Resources/Protocols")]),
        .target(name: "NeuralPrior", dependencies: ["MRICore", "CKernels"]),
        .target(name: "DAPS", dependencies: ["MRICore"]),
        // `mri-daps bench`: timings against BART and PyTorch (docs/performance.md); nothing else depends on it.
        .target(
            name: "Benchmarks",
            dependencies: ["MRIPipeline", "MRICore", "MRIIO", "MRIAcquisition", "NeuralPrior", "DAPS"]),

        // MARK: Executable
        .executableTarget(
            name: "mri-daps",
            dependencies: [
                "MRIPipeline", "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Fuzz targets (docs/reliability.md "Fuzzing"): a corpus replayer in a normal build; built
        // with `-sanitize=fuzzer -DFUZZING` by scripts/fuzz.sh it is a libFuzzer binary instead.
        .executableTarget(
            name: "mri-daps-fuzz",
            dependencies: ["MRIIO", "MRICore", "NeuralPrior", "MRIPipeline"]),

        // MARK: Test support and test bundles
        .target(name: "_TestSupport", dependencies: ["MRICore"], path: "Sources/_TestSupport"),
        .testTarget(name: "MRICoreTests", dependencies: ["MRICore", "_TestSupport"]),
        .testTarget(name: "MRIIOTests", dependencies: ["MRIIO", "MRICore", "_TestSupport"]),
        .testTarget(
            name: "MRIAcquisitionTests",
            dependencies: ["MRIAcquisition", "MRICore", "MRIIO", "_TestSupport"]),
        .testTarget(
            name: "NeuralPriorTests",
            dependencies: ["NeuralPrior", "CKernels", "DAPS", "MRICore", "_TestSupport"]),
        .testTarget(name: "DAPSTests", dependencies: ["DAPS", "MRICore", "_TestSupport"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "_TestSupport"]),
        .testTarget(name: "MRIPreviewTests", dependencies: ["MRIPreview", "MRIIO", "_TestSupport"]),
        .testTarget(
            name: "DICOMTests",
            dependencies: ["mri-daps", "MRIPipeline", "MRIIO", "PACS", "MRICore", "_TestSupport"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["mri-daps", "MRIPipeline", "MRIIO", "MRICore", "_TestSupport"]),
    ]
)
