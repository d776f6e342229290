// The colours of syntax highlighting (the file editor, the wizard's YAML review), readable on the
// current theme: a light set on light palettes, a brighter one on dark palettes.
#pragma once

#include <QApplication>
#include <QColor>
#include <QPalette>

namespace capsule::app {

struct SyntaxColors
{
    QColor key;
    QColor string;
    QColor number;
    QColor keyword;
    QColor comment;

    static bool darkPalette(const QPalette &palette = QApplication::palette())
    {
        return palette.color(QPalette::Base).lightness() < 128;
    }

    static SyntaxColors forPalette(const QPalette &palette = QApplication::palette())
    {
        if (darkPalette(palette))
            return {QColor(0x6c, 0xb6, 0xff), QColor(0x7e, 0xe7, 0x87), QColor(0xff, 0xa6, 0x57),
                    QColor(0xd2, 0xa8, 0xff), QColor(0x8b, 0x94, 0x9e)};
        return {QColor(0x1a, 0x5f, 0xb4), QColor(0x26, 0x8b, 0x3d), QColor(0xb0, 0x5a, 0x00),
                QColor(0x8e, 0x24, 0xaa), QColor(0x80, 0x80, 0x80)};
    }
};

} // namespace capsule::app
