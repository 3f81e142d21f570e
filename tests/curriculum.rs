//! docs/curriculum.md names lesson checks as `lesson/item`; each must exist in the pack.

use apilings::lessons::Pack;

#[test]
fn every_check_named_in_the_curriculum_map_exists() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/curriculum.md"))
        .unwrap();
    let pack = Pack::embedded().unwrap();
    let re = regex::Regex::new(r"`(\d\d-[a-z0-9-]+)/([a-z0-9-]+)`").unwrap();
    let mut named = 0;
    for cap in re.captures_iter(&doc) {
        let (lesson, item) = (&cap[1], &cap[2]);
        let l = pack
            .find(lesson)
            .unwrap_or_else(|e| panic!("docs/curriculum.md: {e}"));
        assert_eq!(
            l.id, lesson,
            "docs/curriculum.md names `{lesson}` loosely; use the lesson id"
        );
        assert!(
            l.items.iter().any(|i| i.id == item),
            "docs/curriculum.md names `{lesson}/{item}`, but {lesson} has no such item"
        );
        named += 1;
    }
    assert!(named >= 20, "the map names only {named} checks");
}

#[test]
fn every_point_of_the_skill_is_graded() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/curriculum.md"))
        .unwrap();
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with("| ")).collect();
    // 7 questions, 6 principles and 16 self-check items, besides the 3 header rows.
    assert_eq!(rows.len(), 7 + 6 + 16 + 3, "the map lost or gained a row");
    let ungraded: Vec<&&str> = rows
        .iter()
        .filter(|l| l.contains("*planned*") || !l.contains("`"))
        .filter(|l| !l.starts_with("| #") && !l.starts_with("| area"))
        .collect();
    assert!(
        ungraded.is_empty(),
        "rows graded by no check: {ungraded:#?}"
    );
}
