//! The repository's `templates/` directory, built into the binary at compile time (see
//! [`crate::spec::builtin_templates`]). A test checks that this list is exactly the files
//! [`crate::spec::template_files`] names, so a new template cannot be forgotten here.

/// `(path relative to templates/, content)` of every template file.
pub const FILES: &[(&str, &str)] = &[
    ("families.yml", include_str!("../../templates/families.yml")),
    (
        "vocabulary.yml",
        include_str!("../../templates/vocabulary.yml"),
    ),
    ("world.yml", include_str!("../../templates/world.yml")),
    ("alerts.yml", include_str!("../../templates/alerts.yml")),
    (
        "scenario/scenario.yml.j2",
        include_str!("../../templates/scenario/scenario.yml.j2"),
    ),
    (
        "scenario/answer.yml.j2",
        include_str!("../../templates/scenario/answer.yml.j2"),
    ),
    (
        "scenario/alert.json.j2",
        include_str!("../../templates/scenario/alert.json.j2"),
    ),
    (
        "k8s-api/pods.json.j2",
        include_str!("../../templates/k8s-api/pods.json.j2"),
    ),
    (
        "k8s-api/events.json.j2",
        include_str!("../../templates/k8s-api/events.json.j2"),
    ),
    (
        "k8s-api/deployments.json.j2",
        include_str!("../../templates/k8s-api/deployments.json.j2"),
    ),
    (
        "k8s-api/statefulsets.json.j2",
        include_str!("../../templates/k8s-api/statefulsets.json.j2"),
    ),
    (
        "k8s-api/replicasets.json.j2",
        include_str!("../../templates/k8s-api/replicasets.json.j2"),
    ),
    (
        "k8s-api/nodes.json.j2",
        include_str!("../../templates/k8s-api/nodes.json.j2"),
    ),
    (
        "k8s-api/pod_logs.json.j2",
        include_str!("../../templates/k8s-api/pod_logs.json.j2"),
    ),
    (
        "k8s-api/datadog_logs.json.j2",
        include_str!("../../templates/k8s-api/datadog_logs.json.j2"),
    ),
    (
        "k8s-api/datadog_monitors.json.j2",
        include_str!("../../templates/k8s-api/datadog_monitors.json.j2"),
    ),
    (
        "k8s-api/_workload.j2",
        include_str!("../../templates/k8s-api/_workload.j2"),
    ),
];

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn built_in_files_are_the_template_files_and_match_the_repository() {
        let mut names: Vec<String> = super::FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        names.sort();
        assert_eq!(names, crate::spec::template_files());
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
        for (name, text) in super::FILES {
            assert_eq!(
                std::fs::read_to_string(dir.join(name)).unwrap(),
                *text,
                "{name}"
            );
        }
        let disk = crate::load_templates(&dir).unwrap();
        let built_in = crate::spec::builtin_templates().unwrap();
        assert_eq!(disk.hash, built_in.hash);
    }
}
