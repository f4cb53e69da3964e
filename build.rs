//! Compiles `proto/` with protox (no system `protoc`) and generates the prost messages and the
//! tonic service, and their `EncodeOnce` (src/pb/encode_once.rs). The encoded descriptor set is
//! kept for server reflection and for proto3 JSON.

use std::path::PathBuf;

#[path = "build/encode_once.rs"]
mod encode_once;

const PROTOS: &[&str] = &[
    "proto/greenimpact/v1/types.proto",
    "proto/greenimpact/v1/carbon.proto",
    "proto/greenimpact/v1/seal.proto",
    "proto/greenimpact/v1/monitoring.proto",
    "proto/greenimpact/v1/records.proto",
    "proto/greenimpact/v1/portfolio.proto",
    "proto/greenimpact/v1/views.proto",
    "proto/greenimpact/v1/assessment.proto",
    "proto/greenimpact/v1/impact_service.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let mut compiler = protox::Compiler::new(["proto"])?;
    compiler.include_imports(true).include_source_info(true);
    compiler.open_files(PROTOS)?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    // Encoded by protox itself: prost_types' options would drop the google.api.http rules the
    // HTTP gateway routes by (extensions are not fields of MethodOptions there).
    std::fs::write(
        out_dir.join("greenimpact_descriptor.bin"),
        compiler.encode_file_descriptor_set(),
    )?;
    let descriptors = compiler.file_descriptor_set();
    std::fs::write(
        out_dir.join("encode_once.rs"),
        encode_once::generate(&descriptors, "greenimpact.v1")?,
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Undecodable requests are INVALID_ARGUMENT with a field path (src/grpc/codec.rs).
        .codec_path("crate::grpc::codec::ProstCodec")
        .compile_fds(descriptors)?;
    Ok(())
}
