//! `trainer plot` draws the run folder's PNGs from its CSV files.

#[test]
fn a_run_folder_gets_loss_accuracy_and_confusion_plots() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("metrics.csv"),
        "epoch,train_loss_color,train_loss_item,train_acc_color,train_acc_item,val_loss_color,val_loss_item,val_acc_color,val_acc_item,val_acc_all,seconds,images_per_s\n\
         1,0.9,1.2,0.6,0.5,0.8,1.1,0.7,0.55,0.4,10,30\n\
         2,0.5,0.8,0.8,0.7,0.6,0.9,0.85,0.7,0.6,10,31\n",
    )
    .unwrap();
    std::fs::write(
        d.join("confusion_color.csv"),
        "truth\\predicted,black,blue,red\nblack,5,1,0\nblue,0,7,1\nred,0,0,9\n",
    )
    .unwrap();
    std::fs::write(d.join("confusion_item.csv"), "truth\\predicted,dress,jeans\ndress,4,1\njeans,2,6\n").unwrap();
    let files = trainer::run::plot::plot_run(d).unwrap();
    assert_eq!(files.len(), 4, "{files:?}");
    for name in ["loss.png", "accuracy.png", "confusion_color.png", "confusion_item.png"] {
        let img = image::open(d.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(img.width() >= 300 && img.height() >= 300, "{name} is {}x{}", img.width(), img.height());
        // Not blank: something other than white was drawn.
        let rgb = img.to_rgb8();
        assert!(rgb.pixels().filter(|p| p.0 != [255, 255, 255]).count() > 1000, "{name} looks empty");
    }
}

#[test]
fn plotting_a_folder_without_metrics_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let err = format!("{:#}", trainer::run::plot::plot_run(dir.path()).unwrap_err());
    assert!(err.contains("metrics.csv"), "{err}");
}
