//! The service's Ed25519 signing key: created at first start, kept in a file only the service
//! user can read, and identified by a short hash of its public half.

use std::io::Write;
use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

pub struct ServiceKey {
    signing: SigningKey,
    key_id: String,
}

impl ServiceKey {
    /// Reads the key at `path` (64 hex digits of the secret seed), or creates it there with
    /// mode 0600 if the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<ServiceKey, String> {
        let shown = path.display();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let mut seed = [0u8; 32];
                hex::decode_to_slice(text.trim(), &mut seed)
                    .map_err(|e| format!("{shown}: not a 64-hex-digit Ed25519 seed: {e}"))?;
                Ok(ServiceKey::from_seed(&seed))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| format!("no randomness for a key: {e}"))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(|e| format!("{shown}: {e}"))?;
                file.write_all(format!("{}\n", hex::encode(seed)).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| format!("{shown}: {e}"))?;
                Ok(ServiceKey::from_seed(&seed))
            }
            Err(e) => Err(format!("{shown}: {e}")),
        }
    }

    pub fn from_seed(seed: &[u8; 32]) -> ServiceKey {
        let signing = SigningKey::from_bytes(seed);
        let key_id = key_id(&signing.verifying_key());
        ServiceKey { signing, key_id }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    pub fn sign(&self, text: &str) -> [u8; 64] {
        self.signing.sign(text.as_bytes()).to_bytes()
    }

    /// False for a signature of the wrong length as for a wrong one.
    pub fn verify(&self, text: &str, signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .is_ok_and(|s| self.public_key().verify(text.as_bytes(), &s).is_ok())
    }
}

/// The first 16 hex digits of SHA-256 of the public key.
pub fn key_id(public: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(public.as_bytes())[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_is_read_back_the_same_and_signs_verifiably() {
        let dir = std::env::temp_dir().join(format!("gi-key-{}", std::process::id()));
        let path = dir.join("service.key");
        let _ = std::fs::remove_dir_all(&dir);
        let created = ServiceKey::load_or_create(&path).unwrap();
        let loaded = ServiceKey::load_or_create(&path).unwrap();
        assert_eq!(created.key_id(), loaded.key_id());
        let signature = created.sign("text");
        assert!(loaded.verify("text", &signature));
        assert!(!loaded.verify("texT", &signature));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
