"""The skills model against real arithmetic: the numbers of both figures without drawing, and
the command that draws them."""

from PIL import Image

from emergesim.cli import main
from emergesim.studies import llm_data


def test_the_loss_orders_the_models_and_the_fitted_k_predicts_held_out_families():
    scale = llm_data.arithmetic_scale()
    assert (scale.ordering["kendall_loss"] > scale.ordering["kendall_N"] + 0.1).all()
    theory_fit, fitted = scale.fits.values()
    assert fitted.rmse < theory_fit.rmse and fitted.sharpness > 3
    held_out = llm_data.arithmetic_calibration(scale.scores)
    assert held_out.overall[None] < held_out.overall[1.0]
    carry = held_out.compositions
    assert carry["long_carry"].held_out_rmse < carry["digits"].held_out_rmse


def test_figures_command_writes_both_pngs_and_a_line_each(tmp_path, capsys):
    assert main(["figures", "llm-data", "--out", str(tmp_path), "--quick"]) == 0
    printed = capsys.readouterr().out.splitlines()
    names = ["arithmetic-scale.png", "arithmetic-calibration.png"]
    assert [line.split(":")[0] for line in printed[:2]] == names
    assert "Kendall tau of accuracy with N" in printed[0] and "held-out RMSE" in printed[1]
    assert printed[2:] == [f"figure: {tmp_path / name}" for name in names]
    for name in names:
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG"
        assert (tmp_path / name).stat().st_size > 10_000
